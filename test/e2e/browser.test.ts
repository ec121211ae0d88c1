/**
 * The browser UI in a real Chromium (Debian's, driven by playwright-core), served by the
 * worker in Miniflare, with a real runner and `codex app-server` against the fake model
 * server: create a thread, send a message and watch the reply stream in, accept an approval,
 * stop a run, and come back after the page's sockets are cut, with no gap and no duplicate.
 * The page reaches the worker through a TCP relay so the test can cut its connections.
 * Screenshots go to test-artifacts/browser/.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import { mintToken } from '../../scripts/tokens.ts'
import { api } from './support/client.ts'
import { useProviderE2E } from './support/provider-e2e.ts'
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts'

const CHROMIUM = process.env.LOOM_CHROMIUM ?? '/usr/bin/chromium'
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'browser')
const e2e = useProviderE2E(['codex'])
let browser: Browser

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set LOOM_CHROMIUM`)
  mkdirSync(ARTIFACTS, { recursive: true })
  // As root, Chromium refuses its sandbox; the page only ever loads this test's own server.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
})
afterAll(async () => {
  await browser?.close()
})

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })

/** The last run section of the open thread. */
const lastRun = (page: Page) => page.getByTestId('run').last()

describe('browser UI', () => {
  let proxy: TcpProxy | undefined
  afterAll(async () => {
    await proxy?.close()
  })

  it('should create a thread, stream a reply, take an approval, stop a run and resume after a cut', { timeout: 180_000 }, async () => {
    const seeded = await e2e().thread('codex')
    proxy = await startTcpProxy(new URL(seeded.url))
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))

    await page.goto(`${proxy.url}/#token=${seeded.ws.userToken}`)
    await expect.poll(() => page.getByTestId('thread-link').count()).toBe(1)
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state')).toBe('online')

    // Create a thread from the UI.
    await page.getByTestId('new-thread').click()
    await page.getByTestId('new-thread-title').fill('from the browser')
    await page.getByTestId('model').fill(seeded.profile.model)
    await page.getByTestId('model').press('Tab')
    await page.getByTestId('create-thread').click()
    await expect.poll(() => page.getByTestId('thread-title').textContent()).toBe('from the browser')
    await expect.poll(() => page.getByTestId('model').inputValue()).toBe(seeded.profile.model)
    await expect.poll(() => page.getByTestId('thread-link').count()).toBe(2)
    const threadId = await page.getByTestId('thread').getAttribute('data-thread-id')
    expect(threadId).toMatch(/^thread-/)

    // A slow reply grows on screen while it streams, then completes.
    await page.getByTestId('composer').fill('[[slow:40:60]] hello from chromium')
    await page.getByTestId('send').click()
    const reply = lastRun(page).locator('[data-type="assistant_message"] .text')
    await expect.poll(async () => ((await reply.count()) > 0 ? ((await reply.first().textContent()) ?? '').length : 0), { timeout: 30_000 }).toBeGreaterThan(10)
    const early = ((await reply.first().textContent()) ?? '').length
    await expect.poll(async () => ((await reply.first().textContent()) ?? '').length, { timeout: 30_000 }).toBeGreaterThan(early)
    await expect.poll(() => lastRun(page).getAttribute('data-status'), { timeout: 30_000 }).toBe('completed')
    expect(await reply.last().textContent()).toContain('reply 1: hello from chromium')
    await shot(page, '1-streamed-reply')

    // An approval: the card shows, Accept runs the command, the run completes.
    await page.getByTestId('composer').fill('[[escalate:touch accepted-in-browser.txt && echo ran-it]] go')
    await page.getByTestId('send').click()
    const accept = lastRun(page).getByTestId('decision-accept')
    await accept.waitFor({ timeout: 30_000 })
    await shot(page, '2-approval')
    // A double click answers once: the second click must not send a second, refused answer.
    await accept.dblclick()
    await expect.poll(() => lastRun(page).getAttribute('data-status'), { timeout: 30_000 }).toBe('completed')
    await expect.poll(() => lastRun(page).getByTestId('request').getAttribute('data-status')).toBe('resolved')
    expect(await page.getByTestId('action-error').count()).toBe(0)
    // The accepted command ran (in the thread's worktree): its exit code and output are on screen.
    const command = lastRun(page).locator('[data-type="command_execution"]')
    await expect.poll(() => command.getByTestId('exit-code').textContent()).toBe('exit 0')
    expect(await command.getByTestId('command-output').textContent()).toContain('ran-it')

    // Stop: a long reply is interrupted from the Stop button.
    await page.getByTestId('composer').fill('[[slow:400:40]] a long answer')
    await page.getByTestId('send').click()
    await expect.poll(() => lastRun(page).getAttribute('data-status'), { timeout: 30_000 }).toBe('running')
    await lastRun(page).getByTestId('stop').click()
    await expect.poll(() => lastRun(page).getAttribute('data-status'), { timeout: 30_000 }).toBe('interrupted')
    await shot(page, '3-stopped')

    // Cut every connection of the page and hold new ones: the UI says it is offline.
    proxy.cut()
    proxy.hold('both')
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state'), { timeout: 15_000 }).toBe('offline')
    await shot(page, '4-offline')
    // Meanwhile the thread moves on (renamed through the API, beside the relay).
    const renamed = await api(seeded.url, seeded.ws.userToken, '/v1/commands', { commandId: `cmd-rename-${Date.now()}`, type: 'thread.metadata.update', threadId, title: 'renamed while offline' })
    expect(renamed.status).toBe(200)
    // Let the held connections go: the page reconnects and resumes from the last sequence it saw.
    proxy.cut()
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state'), { timeout: 30_000 }).toBe('online')
    await expect.poll(() => page.getByTestId('thread-title').textContent(), { timeout: 15_000 }).toBe('renamed while offline')

    const server = await api(seeded.url, seeded.ws.userToken, `/v1/threads/${threadId}`)
    expect(server.status).toBe(200)
    const projection = server.body.projection ?? server.body
    await expect.poll(() => page.getByTestId('thread').getAttribute('data-sequence')).toBe(String(projection.sequence))
    // Every item once: the page shows exactly the server's items, none missing, none twice.
    const shown = await page.getByTestId('item').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-item-id')))
    const expected = projection.turnItems.map((i: { id: string }) => i.id)
    expect(shown.length).toBe(expected.length)
    expect([...shown].sort()).toEqual([...expected].sort())
    await shot(page, '5-resumed')
    expect(pageErrors).toEqual([])
    await page.close()
  })

  it('should show hostile provider and user text as text, never as markup', { timeout: 120_000 }, async () => {
    const seeded = await e2e().thread('codex')
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    const renamed = await api(seeded.url, seeded.ws.userToken, '/v1/commands', { commandId: `cmd-hostile-${Date.now()}`, type: 'thread.metadata.update', threadId: seeded.threadId, title: hostile })
    expect(renamed.status).toBe(200)
    const page = await browser.newPage()
    await page.goto(`${seeded.url}/t/${seeded.threadId}#token=${seeded.ws.userToken}`)
    await expect.poll(() => page.getByTestId('thread-title').textContent()).toBe(hostile)
    // The fake model echoes the message back, so the provider's own output carries it too.
    await page.getByTestId('composer').fill(hostile)
    await page.getByTestId('send').click()
    await expect.poll(() => page.getByTestId('run').last().getAttribute('data-status'), { timeout: 30_000 }).toBe('completed')
    await expect.poll(() => page.locator('[data-type="assistant_message"] .text').last().textContent()).toContain('<img src=x')
    expect(await page.locator('main img, main script, aside img').count()).toBe(0)
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined()
    await shot(page, '6-hostile-text')
    await page.close()
  })

  it('should say the thread view is no longer live once its token expires, instead of showing it as live', { timeout: 60_000 }, async () => {
    const seeded = await e2e().thread('codex')
    const lifetimeSeconds = 6
    const shortLived = await mintToken(e2e().worker.secret, { sub: 'user:short', scopes: ['read', 'operate'], workspaces: [seeded.ws.workspaceId], days: lifetimeSeconds / 86_400 })
    const page = await browser.newPage()
    await page.goto(`${seeded.url}/t/${seeded.threadId}#token=${shortLived}`)
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state')).toBe('online')
    expect(await page.getByTestId('thread-error').count()).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, (lifetimeSeconds + 1) * 1000))
    // The next event on the thread finds the subscriber's token expired: the worker closes its socket (4001).
    const renamed = await api(seeded.url, seeded.ws.userToken, '/v1/commands', { commandId: `cmd-expiry-${Date.now()}`, type: 'thread.metadata.update', threadId: seeded.threadId, title: 'after expiry' })
    expect(renamed.status).toBe(200)
    await expect.poll(() => page.getByTestId('thread-error').count(), { timeout: 15_000 }).toBe(1)
    expect(await page.getByTestId('thread-error').textContent()).toContain('token_expired')
    await shot(page, '7-no-longer-live')
    await page.close()
  })
})
