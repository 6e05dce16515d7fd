export { loadSamples, type Expected, type Sample } from '../../../fixtures/samples/load.ts'
