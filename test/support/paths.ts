import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root directory (with a trailing slash). */
export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** examples/: the producers and apps the interop and README tests run. */
export const examplesDir = join(repositoryRoot, 'examples');
