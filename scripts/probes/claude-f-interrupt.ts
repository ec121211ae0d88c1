// Probe (f): q.interrupt() timing and interrupt while canUseTool is pending.
//  f1: interrupt during a slow streamed reply: time for interrupt() to resolve, time to `result`.
//  f2: interrupt while canUseTool is pending (never answered): signal abort, result shape, timing;
//      then a late answer from canUseTool; then the next turn in the same query.
//  f3: interrupt while idle (no turn running).
// Run: npx node scripts/probes/claude-f-interrupt.ts
import { query, type PermissionResult } from "@anthropic-ai/claude-agent-sdk";
import { Collector, Pushable, printRequests, runMain, setupProbe, sleep, userMsg } from "./claude-harness.ts";

await runMain("claude-f-interrupt", async () => {
  const p = await setupProbe("interrupt");
  const input = new Pushable();
  let release: ((r: PermissionResult) => void) | undefined;
  let abortedAt = 0;
  const canUseTool = (toolName: string, toolInput: Record<string, unknown>, o: { signal: AbortSignal }) =>
    new Promise<PermissionResult>((resolve) => {
      c.mark(`canUseTool(${toolName}) pending`);
      o.signal.addEventListener("abort", () => {
        abortedAt = Date.now();
        c.mark("canUseTool signal aborted");
      });
      release = resolve;
    });
  const q = query({ prompt: input, options: p.options({ includePartialMessages: true, canUseTool }) });
  const c = new Collector(q);
  try {
    console.log("\n=== (f1) interrupt during a slow streamed reply ===");
    input.push(userMsg("[[slow:40]] stream slowly"));
    await c.waitFor((ms) => ms.some((m) => m.type === "stream_event" && (m as any).event?.type === "content_block_delta"));
    await sleep(300);
    let t = Date.now();
    c.mark("q.interrupt()");
    const r1 = await q.interrupt();
    c.mark(`interrupt() resolved in ${Date.now() - t} ms -> ${JSON.stringify(r1)}`);
    await c.waitFor((ms) => ms.filter((m) => m.type === "result").length >= 1);
    c.mark(`result ${Date.now() - t} ms after interrupt()`);

    console.log("\n=== (f2) interrupt while canUseTool is pending ===");
    input.push(userMsg("[[bash:touch needs-approval.txt]]"));
    await c.waitFor(() => release !== undefined);
    await sleep(200);
    t = Date.now();
    c.mark("q.interrupt()");
    const r2 = await q.interrupt();
    c.mark(`interrupt() resolved in ${Date.now() - t} ms -> ${JSON.stringify(r2)}`);
    await c.waitFor((ms) => ms.filter((m) => m.type === "result").length >= 2);
    c.mark(`result ${Date.now() - t} ms after interrupt(); signal aborted ${abortedAt ? abortedAt - t : "never"} ms after`);
    const res = c.results()[1] as any;
    console.log(`  result.permission_denials=${JSON.stringify(res.permission_denials)} errors=${JSON.stringify(res.errors)}`);
    c.mark("late canUseTool answer: allow");
    release!({ behavior: "allow", updatedInput: { command: "touch needs-approval.txt" } });
    await sleep(500);

    console.log("\n=== next turn in the same query ===");
    input.push(userMsg("after interrupts"));
    await c.waitFor((ms) => ms.filter((m) => m.type === "result").length >= 3);
    printRequests(p, p.fake.requests.length - 1);

    console.log("\n=== (f3) interrupt while idle ===");
    t = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r3 = await Promise.race([q.interrupt(), new Promise((r) => (timer = setTimeout(() => r("timeout 5s"), 5000)))]);
    clearTimeout(timer);
    c.mark(`idle interrupt() -> ${JSON.stringify(r3)} in ${Date.now() - t} ms`);
    await sleep(500);
    console.log(`  results so far: ${c.results().length}`);
  } finally {
    input.end();
    q.close();
    await p.cleanup();
  }
});
