// Probe (e2): plan mode details. What the plan-mode reminder tells the model (plan file path),
// whether writing the plan file asks, what canUseTool sees for ExitPlanMode, and how the
// permission mode changes after ExitPlanMode is denied / allowed (with and without an
// updatedPermissions setMode).
// Run: npx node scripts/probes/claude-e2-plan.ts
import { existsSync, readFileSync } from "node:fs";
import { query, type PermissionResult } from "@anthropic-ai/claude-agent-sdk";
import { Collector, Pushable, runMain, setupProbe, userMsg } from "./claude-harness.ts";

await runMain("claude-e2-plan", async () => {
  const p = await setupProbe("plan");
  const input = new Pushable();
  let exitPlanAnswer: (input: Record<string, unknown>, o: any) => PermissionResult = () => ({ behavior: "deny", message: "keep planning" });
  const canUseTool = async (toolName: string, toolInput: Record<string, unknown>, o: any): Promise<PermissionResult> => {
    console.log(`  canUseTool(${toolName}) input=${JSON.stringify(toolInput).slice(0, 300)} suggestions=${JSON.stringify(o.suggestions)} title=${JSON.stringify(o.title)} decisionReason=${JSON.stringify(o.decisionReason)}`);
    if (toolName === "ExitPlanMode") return exitPlanAnswer(toolInput, o);
    return { behavior: "allow", updatedInput: toolInput };
  };
  const q = query({ prompt: input, options: p.options({ permissionMode: "plan", canUseTool }) });
  const c = new Collector(q);
  console.log("=== (e2a) plan mode: plan file, ExitPlanMode deny / allow+setMode acceptEdits ===");
  let n = 0;
  const turn = async (text: string) => {
    c.mark(`push ${text}`);
    input.push(userMsg(text));
    await c.waitFor((ms) => ms.filter((m) => m.type === "result").length >= n + 1);
    n++;
  };
  try {
    await turn("hello in plan mode");
    const req = p.fake.requests[0]!;
    const reminder = JSON.stringify(req.body.messages).match(/Plan mode is active[^"]{0,200}|plan file[^"]{0,300}/i)?.[0];
    const planPath = JSON.stringify(req.body.messages).match(/(\/[^\s"\\]+\/plans\/[^\s"\\]+\.md)/)?.[1];
    console.log(`  plan-mode reminder excerpt: ${reminder}`);
    console.log(`  plan file path named in the reminder: ${planPath}`);
    if (planPath) {
      await turn(`[[write:${planPath}:# Plan\n1. write the file]]`);
      console.log(`  plan file exists after Write: ${existsSync(planPath)}`);
    }
    await turn(`[[tool:ExitPlanMode:{"plan":"inline plan text"}]]`);
    const tu = c.msgs.filter((m) => m.type === "assistant" && (m as any).message.content.some((b: any) => b.type === "tool_use")).pop() as any;
    console.log(`  assistant tool_use input as streamed (what the model sent): ${JSON.stringify(tu?.message?.content?.[0]?.input)}`);
    console.log("  -> ExitPlanMode denied; next turn mode:");
    exitPlanAnswer = (ti) => ({ behavior: "allow", updatedInput: ti, updatedPermissions: [{ type: "setMode", mode: "acceptEdits", destination: "session" }] });
    await turn(`[[tool:ExitPlanMode:{}]]`);
    console.log("  -> ExitPlanMode allowed with updatedPermissions setMode acceptEdits; next turn:");
    await turn("[[bash:touch after-exit.txt]]");
    const inits = c.msgs.filter((m) => m.type === "system" && (m as any).subtype === "init").map((m) => (m as any).permissionMode);
    console.log(`  permissionMode per turn (system:init): ${JSON.stringify(inits)}`);
    if (planPath && existsSync(planPath)) console.log(`  plan file content: ${JSON.stringify(readFileSync(planPath, "utf8"))}`);
    const last = p.fake.requests[p.fake.requests.length - 1]!;
    console.log(`  last request tail: ${last.history.slice(-4).join(" | ")}`);
  } finally {
    input.end();
    q.close();
    await p.cleanup();
  }

  console.log("\n=== (e2b) plan + allowDangerouslySkipPermissions: ExitPlanMode allowed with setMode bypassPermissions ===");
  await bypassAfterPlan();
  console.log("\n=== (e2c) default WITHOUT allowDangerouslySkipPermissions: q.setPermissionMode('bypassPermissions') ===");
  await bypassWithoutFlag();
});

async function bypassAfterPlan(): Promise<void> {
  const p = await setupProbe("plan-bypass", { IS_SANDBOX: "1" });
  const input = new Pushable();
  const asked: string[] = [];
  const canUseTool = async (toolName: string, toolInput: Record<string, unknown>): Promise<PermissionResult> => {
    asked.push(toolName);
    if (toolName === "ExitPlanMode")
      return { behavior: "allow", updatedInput: toolInput, updatedPermissions: [{ type: "setMode", mode: "bypassPermissions", destination: "session" }] };
    return { behavior: "allow", updatedInput: toolInput };
  };
  const q = query({ prompt: input, options: p.options({ permissionMode: "plan", allowDangerouslySkipPermissions: true, canUseTool }) });
  const c = new Collector(q, false);
  try {
    input.push(userMsg(`[[tool:ExitPlanMode:{}]]`));
    await c.waitFor((ms) => ms.filter((m) => m.type === "result").length >= 1);
    input.push(userMsg("[[bash:touch after-bypass.txt]]"));
    await c.waitFor((ms) => ms.filter((m) => m.type === "result").length >= 2);
    const inits = c.msgs.filter((m) => m.type === "system" && (m as any).subtype === "init").map((m) => (m as any).permissionMode);
    console.log(`  permissionMode per turn: ${JSON.stringify(inits)}; canUseTool calls: ${JSON.stringify(asked)}; results: ${JSON.stringify(c.results().map((r: any) => r.subtype))}`);
  } finally {
    input.end();
    q.close();
    await p.cleanup();
  }
}

async function bypassWithoutFlag(): Promise<void> {
  const p = await setupProbe("no-flag", { IS_SANDBOX: "1" });
  const input = new Pushable();
  const q = query({ prompt: input, options: p.options({ permissionMode: "default" }) });
  const c = new Collector(q, false);
  try {
    input.push(userMsg("hello"));
    await c.waitFor((ms) => ms.some((m) => m.type === "result"));
    try {
      await q.setPermissionMode("bypassPermissions");
      input.push(userMsg("[[bash:touch x.txt]]"));
      await c.waitFor((ms) => ms.filter((m) => m.type === "result").length >= 2, 5000);
      const inits = c.msgs.filter((m) => m.type === "system" && (m as any).subtype === "init").map((m) => (m as any).permissionMode);
      console.log(`  setPermissionMode resolved; permissionMode per turn: ${JSON.stringify(inits)}; last result: ${JSON.stringify((c.results().pop() as any)?.permission_denials)}`);
    } catch (e) {
      console.log(`  setPermissionMode('bypassPermissions') threw: ${(e as Error).message}`);
    }
  } finally {
    input.end();
    q.close();
    await p.cleanup();
  }
}
