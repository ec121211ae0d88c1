/** Migration SQL is bundled as text modules (wrangler's default rule for `*.sql`). */
declare module '*.sql' {
  const sql: string
  export default sql
}
