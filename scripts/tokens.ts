/** @module Minting bearer tokens (HS256), for local dev and for runners on other machines. */
import { sign } from 'hono/jwt'

export type Scope = 'read' | 'operate' | 'runner' | 'admin'

export const mintToken = (secret: string, opts: { sub: string; scopes: Scope[]; workspaces: string[]; days: number }): Promise<string> =>
  sign(
    { sub: opts.sub, scopes: opts.scopes, workspaces: opts.workspaces, exp: Math.floor(Date.now() / 1000) + Math.round(opts.days * 86_400) },
    secret,
    'HS256',
  )
