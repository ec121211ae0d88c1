/** @module How the Worker hands verified claims to an object with an upgrade request. */

/** Set only by the Worker, after verifying the token; objects are not reachable otherwise. */
export const claimsHeader = 'x-loom-claims'
