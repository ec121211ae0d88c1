/**
 * The diff routes inside workerd: a scripted runner sends a checkpoint's diff in parts over
 * its link, the thread stores it outside the log, and the API serves it as text/x-diff for the
 * checkpoint and for its run; unknown ids, missing parts and tokens without read are refused.
 */
import { describe, expect, it } from 'vitest'
import { SELF } from 'cloudflare:test'
import { deriveId } from '../../src/contracts/index.ts'
import { api, dispatch, projection, token, uniqueId } from './helpers.ts'
import { runnerThread, type RunnerLink } from './runner-helpers.ts'

const getText = async (path: string, tok: string) => {
  const response = await SELF.fetch(`https://loom.test${path}`, { headers: { Authorization: `Bearer ${tok}` } })
  return { status: response.status, type: response.headers.get('content-type'), truncated: response.headers.get('loom-diff-truncated'), text: await response.text() }
}

const diffPath = (threadId: string, subject: 'checkpoints' | 'runs', id: string) => `/v1/threads/${threadId}/${subject}/${encodeURIComponent(id)}/diff`

/** Sends one diff part and waits for the thread to say it stored it. */
const sendPart = async (link: RunnerLink, frame: { subject: 'checkpoint' | 'run'; id: string; part: number; parts: number; truncated?: boolean; text: string }) => {
  const from = link.socket.frames.length
  link.socket.send({ type: 'diff', truncated: false, ...frame })
  return link.socket.until((frames) => frames.slice(from).find((f) => f.type === 'diff.stored' || f.type === 'refused'))
}

const DIFF_A = 'diff --git a/notes.txt b/notes.txt\nnew file mode 100644\n--- /dev/null\n+++ b/notes.txt\n@@ -0,0 +1 @@\n'
const DIFF_B = '+written by the agent ✓\n'

/** A thread with one completed run and its checkpoint. */
const threadWithRun = async () => {
  const t = await runnerThread()
  await dispatch(t.tok, { type: 'message.dispatch', threadId: t.threadId, text: 'write notes' })
  const start = await t.link.runNext({ runOrdinal: 1 })
  const checkpointId = deriveId.checkpoint(deriveId.checkpointScope(t.threadId), 1)
  return { ...t, runId: start.body.runId, checkpointId }
}

describe('diff routes', () => {
  it('should serve a checkpoint diff sent in parts, and the same diff for its run', async () => {
    const t = await threadWithRun()
    expect(await sendPart(t.link, { subject: 'checkpoint', id: t.checkpointId, part: 1, parts: 2, text: DIFF_B })).toEqual({ type: 'diff.stored', subject: 'checkpoint', id: t.checkpointId, part: 1 })
    // Half a diff is not served.
    expect((await api(diffPath(t.threadId, 'checkpoints', t.checkpointId), { token: t.tok })).status).toBe(404)
    await sendPart(t.link, { subject: 'checkpoint', id: t.checkpointId, part: 0, parts: 2, text: DIFF_A })

    const checkpoint = await getText(diffPath(t.threadId, 'checkpoints', t.checkpointId), t.tok)
    expect(checkpoint).toEqual({ status: 200, type: 'text/x-diff; charset=utf-8', truncated: 'false', text: DIFF_A + DIFF_B })
    const run = await getText(diffPath(t.threadId, 'runs', t.runId), t.tok)
    expect(run.text).toBe(DIFF_A + DIFF_B)
    // Stored beside the log, not in it: the projection's checkpoint is unchanged.
    expect((await projection(t.tok, t.threadId)).checkpoints.find((c: any) => c.id === t.checkpointId)).toMatchObject({ status: 'ready' })
    const events = (await api(`/v1/threads/${t.threadId}/events?after=0`, { token: t.tok })).body.events
    expect(JSON.stringify(events)).not.toContain('written by the agent')
  })

  it("should prefer a run's own diff when one was sent, and replace a resent part", async () => {
    const t = await threadWithRun()
    await sendPart(t.link, { subject: 'checkpoint', id: t.checkpointId, part: 0, parts: 1, text: 'checkpoint diff\n' })
    await sendPart(t.link, { subject: 'run', id: t.runId, part: 0, parts: 1, truncated: true, text: 'first\n' })
    await sendPart(t.link, { subject: 'run', id: t.runId, part: 0, parts: 1, truncated: true, text: 'run diff\n' })
    expect(await getText(diffPath(t.threadId, 'runs', t.runId), t.tok)).toMatchObject({ status: 200, truncated: 'true', text: 'run diff\n' })
    expect((await getText(diffPath(t.threadId, 'checkpoints', t.checkpointId), t.tok)).text).toBe('checkpoint diff\n')
  })

  it('should answer 404 with a code and message for unknown checkpoints, runs, threads and diffs not sent', async () => {
    const t = await threadWithRun()
    for (const path of [
      diffPath(t.threadId, 'checkpoints', 'checkpoint:nope:9'),
      diffPath(t.threadId, 'runs', 'run:nope:9'),
      diffPath(t.threadId, 'checkpoints', t.checkpointId),
      diffPath(t.threadId, 'runs', t.runId),
    ]) {
      const answer = await api(path, { token: t.tok })
      expect(answer.status, path).toBe(404)
      expect(answer.body).toMatchObject({ code: 'not_found', message: expect.any(String) })
    }
    const unknownThread = await api(diffPath(uniqueId('thread'), 'runs', t.runId), { token: t.tok })
    expect(unknownThread).toMatchObject({ status: 404, body: { code: 'thread_not_found' } })
  })

  it('should need the read scope and a token for the thread workspace', async () => {
    const t = await threadWithRun()
    await sendPart(t.link, { subject: 'checkpoint', id: t.checkpointId, part: 0, parts: 1, text: 'secret diff\n' })
    const operateOnly = await token({ scopes: ['operate'], workspaces: [t.workspaceId] })
    const otherWorkspace = await token({ workspaces: ['ws-other'] })
    expect((await api(diffPath(t.threadId, 'checkpoints', t.checkpointId), { token: operateOnly })).status).toBe(403)
    expect((await api(diffPath(t.threadId, 'checkpoints', t.checkpointId), { token: otherWorkspace })).status).toBe(403)
    expect((await api(diffPath(t.threadId, 'checkpoints', t.checkpointId), {})).status).toBe(401)
    expect(await api(diffPath(t.threadId, 'checkpoints', 'bad id with spaces'), { token: t.tok })).toMatchObject({ status: 400, body: { code: 'invalid_request' } })
  })

  it('should refuse a diff frame over the part limits', async () => {
    const t = await threadWithRun()
    const from = t.link.socket.frames.length
    t.link.socket.send({ type: 'diff', subject: 'checkpoint', id: t.checkpointId, part: 16, parts: 17, truncated: false, text: 'x' })
    const answer = await t.link.socket.until((frames) => frames.slice(from).find((f) => f.type === 'refused' || f.type === 'diff.stored'))
    expect(answer).toMatchObject({ type: 'refused', error: { code: 'invalid_request' } })
  })
})
