import { constants } from 'node:fs';

/**
 * Open flags for reading a path the PathGuard already resolved to its real path: a symbolic link swapped in
 * at the last component since then is not followed (the open fails with ELOOP).
 */
export const readWithoutFollowing: number = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);
