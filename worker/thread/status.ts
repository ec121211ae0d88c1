/** @module Run status tests the worker shares with the domain. */
import { ACTIVE_RUN_STATUSES, type RunStatus } from '../../src/contracts/index.ts'

export const isActiveStatus = (status: RunStatus): boolean => ACTIVE_RUN_STATUSES.includes(status)
