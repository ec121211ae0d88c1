/** @module Probe (d): approval policy × sandbox for Loom runtime and interaction modes. */
// Which approvalPolicy + sandboxPolicy (turn/start params) the runner should send
// for Loom's runtime modes × interaction modes, and what each lets the agent do without asking.
// Each cell gets a fresh thread; each action is one turn scripted through the fake model:
// a read-only command, a shell write in the workspace, an apply_patch file add, a network call
// (curl to the fake server on 127.0.0.1), an explicit escalation request, and a shell write
// outside the writable roots. Every approval request is accepted and recorded.
// Run: npx node scripts/probes/codex-d-policy.ts
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { AskForApproval, SandboxPolicy } from '../../runner/generated/codex/v2/index.ts'
import type { CollaborationMode } from '../../runner/generated/codex/index.ts'
import { runMain, section, show, type Probe, type TurnOutcome } from './codex-harness.ts'

type Cell = { label: string; approvalPolicy: AskForApproval; sandboxPolicy: SandboxPolicy; plan?: boolean }

const readOnly: SandboxPolicy = { type: 'readOnly', networkAccess: false }
const workspaceWrite: SandboxPolicy = { type: 'workspaceWrite', writableRoots: [], networkAccess: false, excludeTmpdirEnvVar: false, excludeSlashTmp: false }
const full: SandboxPolicy = { type: 'dangerFullAccess' }

const cells: Cell[] = [
  { label: 'approval-required: on-request + readOnly', approvalPolicy: 'on-request', sandboxPolicy: readOnly },
  { label: 'auto-accept-edits: on-request + workspaceWrite', approvalPolicy: 'on-request', sandboxPolicy: workspaceWrite },
  { label: 'full-access: never + dangerFullAccess', approvalPolicy: 'never', sandboxPolicy: full },
  { label: 'plan × approval-required: on-request + readOnly', approvalPolicy: 'on-request', sandboxPolicy: readOnly, plan: true },
  { label: 'plan × auto-accept-edits: on-request + readOnly', approvalPolicy: 'on-request', sandboxPolicy: readOnly, plan: true },
  { label: 'plan × full-access: never + readOnly(network)', approvalPolicy: 'never', sandboxPolicy: { type: 'readOnly', networkAccess: true }, plan: true },
  { label: 'alt: untrusted + readOnly', approvalPolicy: 'untrusted', sandboxPolicy: readOnly },
  { label: 'alt: never + readOnly', approvalPolicy: 'never', sandboxPolicy: readOnly },
  { label: 'alt: on-request + workspaceWrite(network)', approvalPolicy: 'on-request', sandboxPolicy: { ...workspaceWrite, networkAccess: true } },
  { label: 'alt: plan + never + dangerFullAccess', approvalPolicy: 'never', sandboxPolicy: full, plan: true },
  { label: 'alt: on-request + workspaceWrite(excl. /tmp and $TMPDIR)', approvalPolicy: 'on-request', sandboxPolicy: { ...workspaceWrite, excludeSlashTmp: true, excludeTmpdirEnvVar: true } },
]

const planMode: CollaborationMode = { mode: 'plan', settings: { model: 'fake-model', reasoning_effort: null, developer_instructions: null } }

/** One line per action: asked? what ran, with what result, and what the model got back. */
function describe(outcome: TurnOutcome, modelSaw: string | undefined, wrote?: string): string {
  const asked = outcome.serverRequests.map((r) => r.method.split('/').at(-2) ?? r.method)
  const parts: string[] = [asked.length > 0 ? `ASKED(${asked.join(',')})` : 'no ask']
  for (const item of outcome.items) {
    if (item.type === 'commandExecution') {
      const out = String(item.aggregatedOutput ?? '').replace(/\s+/g, ' ').trim().slice(0, 60)
      parts.push(`cmd ${String(item.status)} exit=${String(item.exitCode)} "${out}"`)
    }
    if (item.type === 'fileChange') parts.push(`patch ${String(item.status)}`)
  }
  if (wrote !== undefined) parts.push(existsSync(wrote) ? 'file written' : 'file absent')
  if (outcome.status !== 'completed') parts.push(`turn ${outcome.status}`)
  const saw = (modelSaw ?? '').split('\nOutput:\n').at(-1)?.replace(/\s+/g, ' ').trim().slice(0, 90)
  parts.push(`model got "${saw}"`)
  return parts.join('; ')
}

async function runCell(probe: Probe, cell: Cell, index: number) {
  console.log(`\n  -- ${cell.label}`)
  const threadId = await probe.startThread()
  const extra = { approvalPolicy: cell.approvalPolicy, sandboxPolicy: cell.sandboxPolicy, ...(cell.plan ? { collaborationMode: planMode } : {}) }
  const ws = probe.dirs.workspace
  const outside = path.join(probe.dirs.root, 'outside', `out-${index}.txt`)
  const actions: Array<{ name: string; prompt: string; wrote?: string }> = [
    { name: 'read-only cmd', prompt: '[[shell:cat seed.txt]]' },
    { name: 'shell write in workspace', prompt: `[[shell:echo shell > shell-${index}.txt && echo wrote]]`, wrote: path.join(ws, `shell-${index}.txt`) },
    { name: 'apply_patch in workspace', prompt: `[[write:patch-${index}.txt:hello]]`, wrote: path.join(ws, `patch-${index}.txt`) },
    { name: 'network (curl 127.0.0.1)', prompt: `[[shell:curl -s -m 3 -o /dev/null -w 'http=%{http_code}' ${probe.server.url}/models]]` },
    { name: 'escalation request', prompt: '[[escalate:echo escalated]]' },
    { name: 'shell write outside workspace', prompt: `[[shell:echo x > ${outside} && echo wrote]]`, wrote: outside },
    { name: 'apply_patch outside workspace', prompt: `[[write:${outside}.patch:hello]]`, wrote: `${outside}.patch` },
  ]
  for (const action of actions) {
    const outcome = await probe.runTurn(threadId, action.prompt, extra).catch((e: unknown) => e)
    if (outcome instanceof Error) {
      show(action.name, `turn/start refused: ${outcome.message}`)
      return
    }
    show(action.name, describe(outcome as TurnOutcome, probe.server.requests.last(threadId)?.view?.lastToolOutput, action.wrote))
  }
  const body = probe.server.requests.last(threadId)?.body as { tools?: Array<{ name?: string; type?: string }>; input?: Array<{ role?: string; content?: Array<{ text?: string }> }> }
  show('tools offered', body.tools?.map((t) => t.name ?? t.type))
  const developer = body.input?.filter((i) => i.role === 'developer').flatMap((i) => i.content?.map((c) => c.text ?? '') ?? []).join('\n') ?? ''
  show('developer text mentions plan mode', /plan mode/i.test(developer))
}

runMain(async () => {
  await section('(d) policy matrix', {}, async (probe) => {
    const { writeFile, mkdir } = await import('node:fs/promises')
    await writeFile(path.join(probe.dirs.workspace, 'seed.txt'), 'seed contents\n')
    // Outside the workspace but not under /tmp's writable-by-default roots is impossible here
    // (the probe root is in the system temp dir), so "outside" is a sibling dir of the workspace.
    await mkdir(path.join(probe.dirs.root, 'outside'), { recursive: true })
    const modes = await probe.client.request('collaborationMode/list', {})
    show('collaborationMode/list', modes)
    for (const [i, cell] of cells.entries()) await runCell(probe, cell, i)
  })

  await section('(d) are turn/start overrides sticky?', {}, async (probe) => {
    const threadId = await probe.startThread()
    const planText = () => {
      const body = probe.server.requests.last(threadId)?.body as { input?: Array<{ role?: string; content?: Array<{ text?: string }> }> }
      const modes = (body.input ?? []).flatMap((i) => (i.role === 'developer' ? (i.content ?? []) : [])).flatMap((c) => (c.text ?? '').match(/<collaboration_mode>[^\n]*/g) ?? [])
      return modes.map((m) => m.slice(0, 60))
    }
    const write = (n: number) => `[[shell:echo x > sticky-${n}.txt && echo wrote]]`
    const written = (n: number) => existsSync(path.join(probe.dirs.workspace, `sticky-${n}.txt`))
    await probe.runTurn(threadId, write(1), { approvalPolicy: 'never', sandboxPolicy: readOnly, collaborationMode: planMode })
    show('turn 1 (plan, never + readOnly): collaboration_mode blocks in request / file written', [planText(), written(1)])
    await probe.runTurn(threadId, write(2))
    show('turn 2 (no overrides): collaboration_mode blocks / file written', [planText(), written(2)])
    await probe.runTurn(threadId, write(3), { collaborationMode: { ...planMode, mode: 'default' }, sandboxPolicy: workspaceWrite })
    show('turn 3 (mode default, workspaceWrite): collaboration_mode blocks / file written', [planText(), written(3)])
  })
})
