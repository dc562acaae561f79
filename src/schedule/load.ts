import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ScheduleError } from '../errors.js';
import { parseTopologyText } from '../topology/parse.js';
import { toSchedules, type Schedule, type ScheduleDefinition } from './schedule.js';

const SCHEDULE_FILE = /\.(ya?ml|json)$/i;
const KEYS = new Set(['cron', 'every', 'timezone', 'job', 'args', 'queue', 'priority', 'missed', 'maxCatchUp', 'graceMs']);

/**
 * Reads the `schedules:` section of YAML or JSON files (a directory: each .yaml/.yml/.json in it,
 * in name order), a map from schedule name to its settings, camelCase keys as in code:
 *
 * ```yaml
 * schedules:
 *   nightly-report:
 *     cron: "30 2 * * *"
 *     timezone: Europe/Madrid
 *     job: ReportJob
 *     args: [daily]
 * ```
 *
 * Other top-level keys are left to the topology loader, so one file may hold both (topology files
 * ignore `schedules`). A file without `schedules` adds none. ScheduleError names the file and the
 * schedule of every problem.
 */
export async function loadSchedules(paths: readonly string[]): Promise<Schedule[]> {
  const definitions: ScheduleDefinition[] = [];
  const from = new Map<string, string>();
  for (const file of await expand(paths)) {
    const text = await readFile(file, 'utf8');
    const { data, issues } = parseTopologyText(file, text);
    if (issues.length > 0) throw new ScheduleError(issues.map((issue) => `${issue.file}: ${issue.path} ${issue.message}`).join('\n'));
    const section = (data as { schedules?: unknown } | null | undefined)?.schedules;
    if (section === undefined || section === null) continue;
    if (typeof section !== 'object' || Array.isArray(section)) throw new ScheduleError(`${file}: schedules must be a map from schedule name to its settings`);
    for (const [name, settings] of Object.entries(section)) {
      if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
        throw new ScheduleError(`${file}: schedules.${name} must be a map of settings`);
      const unknown = Object.keys(settings).filter((key) => !KEYS.has(key));
      if (unknown.length > 0) throw new ScheduleError(`${file}: schedules.${name}: unknown key ${JSON.stringify(unknown[0])} (known: ${[...KEYS].join(', ')})`);
      const previous = from.get(name);
      if (previous) throw new ScheduleError(`schedule ${JSON.stringify(name)} is declared in ${previous} and in ${file}`);
      from.set(name, file);
      definitions.push({ ...(settings as Omit<ScheduleDefinition, 'name'>), name });
    }
  }
  try {
    return toSchedules(definitions);
  } catch (error) {
    if (!(error instanceof ScheduleError)) throw error;
    const name = /^schedule "([^"]+)"/.exec(error.message)?.[1];
    const file = name === undefined ? undefined : from.get(name);
    throw file ? new ScheduleError(`${file}: ${error.message}`) : error;
  }
}

async function expand(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const given of paths) {
    const info = await stat(given).catch(() => undefined);
    if (!info) throw new ScheduleError(`${given}: no such file or directory`);
    if (info.isDirectory())
      files.push(
        ...(await readdir(given))
          .filter((name) => SCHEDULE_FILE.test(name))
          .sort()
          .map((name) => path.join(given, name)),
      );
    else if (SCHEDULE_FILE.test(given)) files.push(given);
    else throw new ScheduleError(`${given}: not a schedule file: expected a .yaml, .yml or .json file`);
  }
  return files;
}
