// The child nodes of an acorn node, by a table of the keys that can hold nodes, in the order
// acorn sets them (so a walk visits children as a `for…in` over the node would, only faster:
// no enumeration of every property of every node). A type not in the table is read by `for…in`.
import type { AnyNode, Node } from 'acorn'

const fn = ['id', 'params', 'body']
const cls = ['id', 'superClass', 'body']
const lr = ['left', 'right']
const arg = ['argument']
const body = ['body']
const none: string[] = []

const CHILD_KEYS: Record<string, readonly string[]> = {
  ArrayExpression: ['elements'],
  ArrayPattern: ['elements'],
  ArrowFunctionExpression: fn,
  AssignmentExpression: lr,
  AssignmentPattern: lr,
  AwaitExpression: arg,
  BinaryExpression: lr,
  BlockStatement: body,
  BreakStatement: ['label'],
  CallExpression: ['callee', 'arguments'],
  CatchClause: ['param', 'body'],
  ChainExpression: ['expression'],
  ClassBody: body,
  ClassDeclaration: cls,
  ClassExpression: cls,
  ConditionalExpression: ['test', 'consequent', 'alternate'],
  ContinueStatement: ['label'],
  DebuggerStatement: none,
  DoWhileStatement: ['body', 'test'],
  EmptyStatement: none,
  ExpressionStatement: ['expression'],
  ForInStatement: ['left', 'right', 'body'],
  ForOfStatement: ['left', 'right', 'body'],
  ForStatement: ['init', 'test', 'update', 'body'],
  FunctionDeclaration: fn,
  FunctionExpression: fn,
  Identifier: none,
  IfStatement: ['test', 'consequent', 'alternate'],
  LabeledStatement: ['body', 'label'],
  Literal: none,
  LogicalExpression: lr,
  MemberExpression: ['object', 'property'],
  MetaProperty: ['meta', 'property'],
  MethodDefinition: ['key', 'value'],
  NewExpression: ['callee', 'arguments'],
  ObjectExpression: ['properties'],
  ObjectPattern: ['properties'],
  PrivateIdentifier: none,
  Program: body,
  Property: ['key', 'value'],
  PropertyDefinition: ['key', 'value'],
  RestElement: arg,
  ReturnStatement: arg,
  SequenceExpression: ['expressions'],
  SpreadElement: arg,
  StaticBlock: body,
  Super: none,
  SwitchCase: ['consequent', 'test'],
  SwitchStatement: ['discriminant', 'cases'],
  TaggedTemplateExpression: ['tag', 'quasi'],
  TemplateElement: none,
  TemplateLiteral: ['expressions', 'quasis'],
  ThisExpression: none,
  ThrowStatement: arg,
  TryStatement: ['block', 'handler', 'finalizer'],
  UnaryExpression: arg,
  UpdateExpression: arg,
  VariableDeclaration: ['declarations'],
  VariableDeclarator: ['id', 'init'],
  WhileStatement: ['test', 'body'],
  YieldExpression: arg,
}

const isNode = (v: unknown): v is AnyNode =>
  v !== null && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string'

/** Calls `f` on each child node of `n`, in acorn's property order. */
export function eachChild(n: Node, f: (child: AnyNode) => void): void {
  const keys = CHILD_KEYS[n.type]
  const record = n as unknown as Record<string, unknown>
  if (keys === undefined) {
    for (const key in n) {
      if (key === 'type' || key === 'loc') continue
      visitValue(record[key], f)
    }
    return
  }
  for (let i = 0; i < keys.length; i++) visitValue(record[keys[i] as string], f)
}

function visitValue(v: unknown, f: (child: AnyNode) => void): void {
  if (v === null || typeof v !== 'object') return
  if (Array.isArray(v)) {
    for (let j = 0; j < v.length; j++) {
      const c: unknown = v[j]
      if (isNode(c)) f(c)
    }
  } else if (isNode(v)) f(v)
}
