import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.skimwatch/**',
      'fixtures/samples/**/*.js',
      'fixtures/shops/**/*.js',
      'fixtures/blind/**/*.js',
      'fixtures/detonate/**/*.js',
      'fixtures/analyze-mix/**',
      'fixtures/review/**/*.js',
      'bin/**',
      'dist/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
)
