// Probe (e): permission policy matrix. For each candidate `permissionMode` (+ allowed/disallowedTools)
// run the same scripted actions as consecutive turns of one streaming query, with a canUseTool
// that records the call and allows. Per cell: was canUseTool called ("ASK"), did the tool run
// without asking ("auto"), or was it refused without asking ("DENY")? Plus plan-mode ExitPlanMode.
// Run: npx node scripts/probes/claude-e-policy.ts [mode-label-filter]
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { query, type Options, type PermissionResult, type Query, type SDKMessage } from "@anthropic-ai/claude-agent-sdk";
import { Collector, Pushable, runMain, setupProbe, userMsg } from "./claude-harness.ts";

interface Cell {
  label: string;
  opts: Partial<Options>;
  env?: Record<string, string>;
  plan?: boolean;
  /** extra turns appended after the common actions */
  extra?: Array<Action>;
}
/** [label, prompt, optional call on the live query before the prompt is pushed] */
type Action = [string, string, ((q: Query) => Promise<unknown>)?];

const cells: Cell[] = [
  { label: "default", opts: { permissionMode: "default" } },
  { label: "acceptEdits", opts: { permissionMode: "acceptEdits" } },
  { label: "bypassPermissions", opts: { permissionMode: "bypassPermissions", allowDangerouslySkipPermissions: true }, env: { IS_SANDBOX: "1" } },
  { label: "plan", opts: { permissionMode: "plan" }, plan: true },
  {
    label: "plan+allowDangerouslySkipPermissions",
    opts: { permissionMode: "plan", allowDangerouslySkipPermissions: true },
    env: { IS_SANDBOX: "1" },
    plan: true,
  },
  { label: "dontAsk", opts: { permissionMode: "dontAsk" } },
  { label: "dontAsk+allowedTools[Read,Glob,Grep]", opts: { permissionMode: "dontAsk", allowedTools: ["Read", "Glob", "Grep"] } },
  { label: "default+allowedTools[Edit,Write]", opts: { permissionMode: "default", allowedTools: ["Edit", "Write"] } },
  { label: "default+disallowedTools[Bash]", opts: { permissionMode: "default", disallowedTools: ["Bash"] } },
  { label: "(permissionMode omitted)", opts: { permissionMode: undefined } },
  {
    label: "default, then live setPermissionMode",
    opts: { permissionMode: "default" },
    extra: [
      ["setPermissionMode(acceptEdits); Write", "[[write:WORK/after-set.txt:x]]", (q) => q.setPermissionMode("acceptEdits")],
      ["setPermissionMode(plan); Bash touch", "[[bash:touch after-plan.txt]]", (q) => q.setPermissionMode("plan")],
      ["setPermissionMode(default); Bash touch", "[[bash:touch after-default.txt]]", (q) => q.setPermissionMode("default")],
    ],
  },
];

type Outcome = { asked: string[]; results: string[]; denials: string[]; resultSubtype: string; mode?: string };

await runMain("claude-e-policy", async () => {
  const filter = process.argv[2];
  const table: string[] = [];
  let header: string[] = [];
  for (const cell of cells) {
    if (filter && !cell.label.includes(filter)) continue;
    console.log(`\n=== (e) ${cell.label} ===`);
    const p = await setupProbe("policy", cell.env);
    const outside = path.join(p.root, "outside");
    writeFileSync(path.join(p.cwd, "existing.txt"), "old line\n");
    writeFileSync(path.join(p.root, "outside-existing.txt"), "outside secret\n");
    const actions: Action[] = [
      ["Read in cwd", `[[read:${path.join(p.cwd, "existing.txt")}]]`],
      ["Bash `ls` (read-only)", "[[bash:ls]]"],
      ["Bash `cat` outside cwd", `[[bash:cat ${path.join(p.root, "outside-existing.txt")}]]`],
      ["Bash `touch` (mutating)", "[[bash:touch made-by-bash.txt]]"],
      ["Write new file in cwd", `[[write:${path.join(p.cwd, "new.txt")}:hello]]`],
      ["Edit file in cwd (after Read)", `[[edit:${path.join(p.cwd, "existing.txt")}:old line:new line]]`],
      ["Write outside cwd", `[[write:${outside}.txt:outside]]`],
      ["Bash redirect `echo > file`", "[[bash:echo hi > redirected.txt]]"],
      ["Bash `rm` in cwd", "[[bash:rm made-by-bash.txt]]"],
      ["Bash other program `sh -c`", "[[bash:sh -c 'echo from-sh']]"],
    ];
    if (cell.plan) {
      actions.push(["ExitPlanMode", `[[tool:ExitPlanMode:{"plan":"1. write the file"}]]`]);
      actions.push(["after ExitPlanMode: Bash touch", "[[bash:touch after-exit-plan.txt]]"]);
    }
    for (const a of cell.extra ?? []) actions.push([a[0], a[1].replace("WORK", p.cwd), a[2]]);
    header = actions.slice(0, 10).map((a) => a[0]);
    const outcomes: Outcome[] = [];
    let turn = 0;
    const asked: string[][] = actions.map(() => []);
    const canUseTool = async (toolName: string, input: Record<string, unknown>, o: any): Promise<PermissionResult> => {
      asked[turn]!.push(toolName);
      if (toolName === "ExitPlanMode")
        console.log(`  canUseTool(ExitPlanMode) suggestions=${JSON.stringify(o.suggestions)} input=${JSON.stringify(input).slice(0, 200)}`);
      if (o.decisionReason || o.blockedPath) console.log(`  canUseTool(${toolName}) decisionReason=${JSON.stringify(o.decisionReason)} blockedPath=${o.blockedPath}`);
      return { behavior: "allow", updatedInput: input };
    };
    const input = new Pushable();
    const q = query({ prompt: input, options: p.options({ ...cell.opts, canUseTool }) });
    const c = new Collector(q, false);
    try {
      for (let i = 0; i < actions.length; i++) {
        turn = i;
        const from = c.msgs.length;
        const before = actions[i]![2];
        if (before) console.log(`  (${actions[i]![0].split(";")[0]} -> ${JSON.stringify(await before(q))})`);
        input.push(userMsg(actions[i]![1]));
        const ok = await c.waitFor((ms) => ms.filter((m) => m.type === "result").length >= i + 1, 20_000);
        const mine = c.msgs.slice(from);
        const init = mine.find((m) => m.type === "system" && (m as any).subtype === "init") as any;
        const res = mine.find((m) => m.type === "result") as any;
        const toolResults = mine
          .filter((m: SDKMessage) => m.type === "user")
          .flatMap((m: any) => (Array.isArray(m.message.content) ? m.message.content : []))
          .filter((b: any) => b.type === "tool_result")
          .map((b: any) => `${b.is_error ? "ERR " : "ok "}${String(typeof b.content === "string" ? b.content : JSON.stringify(b.content)).replace(/\s+/g, " ").slice(0, 110)}`);
        outcomes.push({
          asked: asked[i]!,
          results: toolResults,
          denials: (res?.permission_denials ?? []).map((d: any) => d.tool_name),
          resultSubtype: ok ? `${res?.subtype}${res?.is_error ? "(is_error)" : ""}` : c.error ? `THROWN ${String((c.error as Error).message).slice(0, 80)}` : "timeout",
          mode: init?.permissionMode,
        });
        const o = outcomes[i]!;
        console.log(`  ${actions[i]![0].padEnd(30)} init.permissionMode=${o.mode} canUseTool=${JSON.stringify(o.asked)} tool_result=${JSON.stringify(o.results)} denials=${JSON.stringify(o.denials)} result=${o.resultSubtype}`);
        if (!ok) break;
      }
      const tools = (c.msgs.find((m) => m.type === "system" && (m as any).subtype === "init") as any)?.tools ?? [];
      console.log(`  init.tools has Bash=${tools.includes("Bash")} Write=${tools.includes("Write")} Edit=${tools.includes("Edit")} ExitPlanMode=${tools.includes("ExitPlanMode")} (${tools.length} tools)`);
      console.log(
        `  files: new.txt=${existsSync(path.join(p.cwd, "new.txt"))} made-by-bash.txt=${existsSync(path.join(p.cwd, "made-by-bash.txt"))} existing.txt=${JSON.stringify(readFileSync(path.join(p.cwd, "existing.txt"), "utf8"))} outside.txt=${existsSync(outside + ".txt")}`,
      );
      const warn = p.stderr.join("").split("\n").filter((l) => l.trim() && !l.includes("unrecognized_model"));
      if (warn.length) console.log(`  stderr: ${warn.join(" / ").slice(0, 300)}`);
      const cellWord = (o: Outcome | undefined) => {
        if (!o) return "n/a";
        const err = o.results.some((r) => r.startsWith("ERR"));
        if (o.asked.length) return err ? "ASK→err" : "ASK";
        if (o.denials.length || err) return "DENY";
        return o.results.length ? "auto" : "no-tool";
      };
      table.push(`| ${cell.label} | ${actions.slice(0, 10).map((_, i) => cellWord(outcomes[i])).join(" | ")} |`);
      if (actions.length > 10) console.log(`  extra turns: ${actions.slice(10).map((a, i) => `${a[0]} => ${cellWord(outcomes[10 + i])} (mode ${outcomes[10 + i]?.mode})`).join("; ")}`);
      if (cell.plan) {
        const req = p.fake.requests.find((r) => JSON.stringify(r.body.tools ?? []).includes("ExitPlanMode"));
        const t = (req?.body.tools ?? []).find((x: any) => x.name === "ExitPlanMode");
        console.log(`  ExitPlanMode tool schema sent to model: ${JSON.stringify(t?.input_schema ?? "(not in tools[])").slice(0, 300)}`);
      }
    } finally {
      input.end();
      q.close();
      await p.cleanup();
    }
  }
  console.log(`\n| mode | ${header.join(" | ")} |\n|${"---|".repeat(header.length + 1)}\n${table.join("\n")}`);
  console.log("(ASK = canUseTool called; auto = ran without canUseTool; DENY = refused without canUseTool; ExitPlanMode column only for plan)");
});
