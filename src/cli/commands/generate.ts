import { relative } from 'node:path';
import { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { generateJob, type GenerateJobOptions } from '../generate-job.js';

/** commander's flags are the generator's options (camel-cased by commander), minus the name argument. */
type GenerateJobFlags = Omit<GenerateJobOptions, 'name' | 'root'>;

/** `warren generate job <Name>`: Rails' `bin/rails generate job`, for a warren app. */
export function generateCommand(setExit: (code: number) => void): Command {
  const job = new Command('job')
    .description('write a job class and a test for it (like `bin/rails generate job`)')
    .argument('<name>', 'the job name: GuestsCleanup, guests_cleanup or GuestsCleanupJob all make GuestsCleanupJob')
    .option('--queue <name>', 'the queue it is enqueued on (default: "default")')
    .option('--parent <name>', 'a job class of yours to extend instead of Job (imported from the jobs folder)')
    .option('--jobs-dir <dir>', 'where the job goes (default: src/jobs)')
    .option('--tests-dir <dir>', 'where its test goes (default: test/jobs)')
    .option('--warren-module <specifier>', 'the module to import warren from (default: warren)')
    .option('--force', 'overwrite files that exist')
    .action((name: string, flags: GenerateJobFlags) => {
      const files = generateJob({ name, ...flags });
      process.stdout.write(`create ${relative(process.cwd(), files.jobFile)}\ncreate ${relative(process.cwd(), files.testFile)}\n`);
      process.stdout.write(`Run the test with: node --import tsx --test ${relative(process.cwd(), files.testFile)}\n`);
      setExit(EXIT.ok);
    });
  return new Command('generate').description('generate code for your app').addCommand(job);
}
