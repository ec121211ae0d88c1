// Probe (a): steering in streaming-input mode.
// While a slow streamed reply (or a running Bash tool) is in progress, push a second user
// message with priority "now" / "next" / "later" / none, and observe: how many `result`s,
// whether the first reply is aborted, and what history the model sees afterwards.
// Run: npx node scripts/probes/claude-a-steer.ts
import { query, type PermissionResult, type SDKMessage, type SDKUserMessage } from "@anthropic-ai/claude-agent-sdk";
import { Collector, Pushable, printRequests, runMain, setupProbe, sleep, userMsg } from "./claude-harness.ts";

type Variant = { label: string; priority: SDKUserMessage["priority"] | undefined; during: "stream" | "tool" | "approval" };

const variants: Variant[] = [
  { label: "priority now, during streamed text", priority: "now", during: "stream" },
  { label: "no priority, during streamed text", priority: undefined, during: "stream" },
  { label: "priority next, during streamed text", priority: "next", during: "stream" },
  { label: "priority later, during streamed text", priority: "later", during: "stream" },
  { label: "priority now, during a running Bash tool", priority: "now", during: "tool" },
  { label: "no priority, during a running Bash tool", priority: undefined, during: "tool" },
  { label: "priority next, during a running Bash tool", priority: "next", during: "tool" },
  { label: "priority now, while canUseTool is pending", priority: "now", during: "approval" },
  { label: "no priority, while canUseTool is pending", priority: undefined, during: "approval" },
];

async function runVariant(v: Variant): Promise<void> {
  console.log(`\n=== (a) ${v.label} ===`);
  const p = await setupProbe("steer");
  const input = new Pushable();
  let pending = false;
  const canUseTool = async (_n: string, i: Record<string, unknown>, o: { signal: AbortSignal }): Promise<PermissionResult> => {
    if (v.during !== "approval") return { behavior: "allow", updatedInput: i };
    // hold the approval until the signal aborts, or answer "allow" after 3 s
    pending = true;
    c.mark("canUseTool pending");
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        c.mark("canUseTool answers allow (3 s)");
        resolve({ behavior: "allow", updatedInput: i });
      }, 3000);
      o.signal.addEventListener("abort", () => {
        clearTimeout(t);
        c.mark("canUseTool signal aborted");
        resolve({ behavior: "deny", message: "aborted" });
      });
    });
  };
  const q = query({ prompt: input, options: p.options({ includePartialMessages: true, canUseTool }) });
  const c = new Collector(q);
  try {
    const first =
      v.during === "stream" ? "[[slow:16]] first prompt" : v.during === "tool" ? "[[bash:sleep 3; echo slept]] first prompt" : "[[bash:touch approved.txt]] first prompt";
    input.push(userMsg(first, { uuid: "11111111-1111-4111-8111-111111111111" } as any));
    if (v.during === "stream") {
      // wait for the 3rd text delta
      await c.waitFor((ms) => ms.filter((m) => m.type === "stream_event" && (m as any).event?.type === "content_block_delta").length >= 3);
    } else if (v.during === "tool") {
      await c.waitFor((ms) => ms.some((m) => m.type === "assistant" && (m as any).message.content.some((b: any) => b.type === "tool_use")));
      await sleep(700);
    } else {
      await c.waitFor(() => pending);
      await sleep(300);
    }
    c.mark(`push steer (priority=${v.priority})`);
    const steer: SDKUserMessage = userMsg("STEER second message", { uuid: "22222222-2222-4222-8222-222222222222" } as any);
    if (v.priority) steer.priority = v.priority;
    input.push(steer);
    // wait for two results, or one result + 2.5 s of quiet
    await c.waitFor((ms) => ms.some((m) => m.type === "result"), 15_000);
    await c.waitFor((ms) => ms.filter((m) => m.type === "result").length >= 2, 2_500);
    await sleep(300);
    const results = c.results();
    const inits = c.msgs.filter((m: SDKMessage) => m.type === "system" && (m as any).subtype === "init").length;
    console.log(`  -> results=${results.length} system:init=${inits}`);
    console.log(`  -> replayed user messages: ${c.msgs.filter((m) => m.type === "user" && (m as any).isReplay).length}`);
    const steerLines = p.rawIn.filter((l) => l.includes("STEER"));
    console.log(`  -> stdin line for steer: ${steerLines.map((l) => l.slice(0, 220)).join(" | ")}`);
    printRequests(p);
    const lastReq = p.fake.requests[p.fake.requests.length - 1];
    const tail = lastReq?.body.messages?.slice(-1)[0];
    console.log(`  -> last message of last request (full): ${JSON.stringify(tail).slice(0, 700)}`);
  } finally {
    input.end();
    q.close();
    await p.cleanup();
  }
}

await runMain("claude-a-steer", async () => {
  const only = process.argv[2];
  for (const v of variants) if (!only || v.label.includes(only)) await runVariant(v);
});
