// The README's quick start, part 1: a job class and the registry `warren worker --require` loads.
// In this checkout (the tsconfig maps `warren` to src/):
//   npx tsx --tsconfig examples/readme/tsconfig.json examples/readme/quick-start/enqueue.ts
//   TSX_TSCONFIG_PATH=examples/readme/tsconfig.json npx warren worker --require examples/readme/quick-start/jobs.ts
// (test/integration/readme-examples.test.ts runs both against the broker.)
// README:begin
// jobs.ts
import { Job, JobRegistry } from 'warren';

export class ResizeImageJob extends Job {
  static override jobName = 'ResizeImageJob'; // survives bundlers renaming classes
  static {
    this.queueAs('images');
  }
  async perform(imageId: string, width: number) {
    // ... this.signal aborts on shutdown or timeout; this.logger is bound to this job
  }
}

export const registry = new JobRegistry().register(ResizeImageJob);
// README:end

