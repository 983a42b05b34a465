// Test-only oracle for tests/unit/test_permissions_oracle.py: reads a JSON array of cases on stdin,
// runs each through @cloud-copilot/iam-simulate (AGPL; never shipped, never imported by the product)
// and writes one JSON array of {id, decision} (or {id, error}) to stdout.
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'))
const answers = cases.map((c) => {
  try {
    const result = runUnsafeSimulation({
      request: {
        principal: c.principal,
        action: c.action,
        resource: { resource: c.resource, accountId: c.account },
        contextVariables: c.context
      },
      identityPolicies: c.policies.map((policy, i) => ({ name: `policy${i}`, policy })),
      // runUnsafeSimulation drops sessionPolicy; for identity-based policies in one account a permission
      // boundary intersects exactly as a session policy does (IAM policy evaluation logic), so pass it as one.
      permissionBoundaryPolicies: c.session ? [{ name: 'session', policy: c.session }] : undefined,
      serviceControlPolicies: [],
      resourceControlPolicies: []
    }, { simulationMode: 'Strict' })
    return { id: c.id, decision: result }
  } catch (error) {
    return { id: c.id, error: String(error && error.stack || error) }
  }
})
process.stdout.write(JSON.stringify(answers))
