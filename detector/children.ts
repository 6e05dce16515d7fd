// The child nodes of an acorn node, read by name for each node type, in the order acorn sets
// them (so a walk visits children as a `for…in` over the node would, only faster: no
// enumeration of every property of every node, and no property read by a computed key, which
// is slow on the many shapes of acorn's nodes). A type not listed is read by `for…in`.
import type { AnyNode, Node } from 'acorn'

const isNode = (v: unknown): v is AnyNode =>
  v !== null && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string'

/** Calls `f` on each child node of `n`, in acorn's property order. */
export function eachChild(n: Node, f: (child: AnyNode) => void): void {
  const r = n as unknown as Record<string, unknown>
  // the commonest types first: a switch on strings tests its cases in order
  switch (n.type) {
    case 'Identifier':
    case 'Literal':
    case 'ThisExpression':
    case 'TemplateElement':
    case 'EmptyStatement':
    case 'DebuggerStatement':
    case 'PrivateIdentifier':
    case 'Super':
      return
    case 'MemberExpression':
      visitValue(r.object, f)
      visitValue(r.property, f)
      return
    case 'AssignmentExpression':
    case 'AssignmentPattern':
    case 'BinaryExpression':
    case 'LogicalExpression':
      visitValue(r.left, f)
      visitValue(r.right, f)
      return
    case 'CallExpression':
    case 'NewExpression':
      visitValue(r.callee, f)
      visitValue(r.arguments, f)
      return
    case 'AwaitExpression':
    case 'RestElement':
    case 'ReturnStatement':
    case 'SpreadElement':
    case 'ThrowStatement':
    case 'UnaryExpression':
    case 'UpdateExpression':
    case 'YieldExpression':
      visitValue(r.argument, f)
      return
    case 'MethodDefinition':
    case 'Property':
    case 'PropertyDefinition':
      visitValue(r.key, f)
      visitValue(r.value, f)
      return
    case 'VariableDeclarator':
      visitValue(r.id, f)
      visitValue(r.init, f)
      return
    case 'BlockStatement':
    case 'ClassBody':
    case 'Program':
    case 'StaticBlock':
      visitValue(r.body, f)
      return
    case 'ChainExpression':
    case 'ExpressionStatement':
      visitValue(r.expression, f)
      return
    case 'ArrowFunctionExpression':
    case 'FunctionDeclaration':
    case 'FunctionExpression':
      visitValue(r.id, f)
      visitValue(r.params, f)
      visitValue(r.body, f)
      return
    case 'ConditionalExpression':
    case 'IfStatement':
      visitValue(r.test, f)
      visitValue(r.consequent, f)
      visitValue(r.alternate, f)
      return
    case 'VariableDeclaration':
      visitValue(r.declarations, f)
      return
    case 'SequenceExpression':
      visitValue(r.expressions, f)
      return
    case 'ObjectExpression':
    case 'ObjectPattern':
      visitValue(r.properties, f)
      return
    case 'ArrayExpression':
    case 'ArrayPattern':
      visitValue(r.elements, f)
      return
    case 'ForStatement':
      visitValue(r.init, f)
      visitValue(r.test, f)
      visitValue(r.update, f)
      visitValue(r.body, f)
      return
    case 'SwitchCase':
      visitValue(r.consequent, f)
      visitValue(r.test, f)
      return
    case 'BreakStatement':
    case 'ContinueStatement':
      visitValue(r.label, f)
      return
    case 'CatchClause':
      visitValue(r.param, f)
      visitValue(r.body, f)
      return
    case 'TemplateLiteral':
      visitValue(r.expressions, f)
      visitValue(r.quasis, f)
      return
    case 'TryStatement':
      visitValue(r.block, f)
      visitValue(r.handler, f)
      visitValue(r.finalizer, f)
      return
    case 'ClassDeclaration':
    case 'ClassExpression':
      visitValue(r.id, f)
      visitValue(r.superClass, f)
      visitValue(r.body, f)
      return
    case 'DoWhileStatement':
      visitValue(r.body, f)
      visitValue(r.test, f)
      return
    case 'ForInStatement':
    case 'ForOfStatement':
      visitValue(r.left, f)
      visitValue(r.right, f)
      visitValue(r.body, f)
      return
    case 'LabeledStatement':
      visitValue(r.body, f)
      visitValue(r.label, f)
      return
    case 'MetaProperty':
      visitValue(r.meta, f)
      visitValue(r.property, f)
      return
    case 'SwitchStatement':
      visitValue(r.discriminant, f)
      visitValue(r.cases, f)
      return
    case 'TaggedTemplateExpression':
      visitValue(r.tag, f)
      visitValue(r.quasi, f)
      return
    case 'WhileStatement':
      visitValue(r.test, f)
      visitValue(r.body, f)
      return
    default:
      for (const key in n) {
        if (key === 'type' || key === 'loc') continue
        visitValue(r[key], f)
      }
  }
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
