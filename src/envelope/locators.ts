import { DeserializationError, RegistrationError } from '../errors.js';
import { isValidModelName, type GlobalId } from './global-id.js';

/**
 * Finds records for GlobalID references at perform time. Register one per model name
 * the application accepts; a GlobalID of any other model is refused without loading anything.
 */
export interface RecordLocator<TRecord = unknown> {
  /** The record with this id, or null/undefined when it does not exist (the job then fails with DeserializationError). */
  find(id: string, globalId: GlobalId): Promise<TRecord | null | undefined> | TRecord | null | undefined;
  /**
   * Optional batch lookup, used when one job's arguments reference several records of
   * this model: returns one entry per id, in the order of `ids` (null/undefined for a missing one).
   */
  findMany?(
    ids: readonly string[],
    globalIds: readonly GlobalId[],
  ): Promise<ReadonlyArray<TRecord | null | undefined>> | ReadonlyArray<TRecord | null | undefined>;
  /**
   * Apps whose GlobalIDs this locator accepts. Default: any app, as Rails'
   * GlobalID::Locator does (so `gid://shop/User/1` written by a Rails app named "shop"
   * is located by the "User" locator). Set it to refuse references minted elsewhere.
   */
  apps?: readonly string[];
}

const locators = new Map<string, RecordLocator>();

/** Registers the locator for a model name ("User", "Admin::User"). Twice for one name is a RegistrationError. */
export function registerLocator<TRecord>(modelName: string, locator: RecordLocator<TRecord>): void {
  if (!isValidModelName(modelName)) throw new RegistrationError(`invalid model name ${JSON.stringify(modelName)} for a locator`);
  if (typeof locator?.find !== 'function') throw new RegistrationError(`the locator for ${modelName} has no find(id) function`);
  if (locators.has(modelName)) throw new RegistrationError(`a locator for ${modelName} is already registered`);
  locators.set(modelName, locator as RecordLocator);
}

/** Removes every registered locator (tests). */
export function resetLocators(): void {
  locators.clear();
}

function locatorFor(globalId: GlobalId): RecordLocator {
  const locator = locators.get(globalId.modelName);
  if (!locator) {
    throw new DeserializationError(`${globalId.toString()} refers to model ${globalId.modelName}, which has no registered locator (see registerLocator)`);
  }
  if (locator.apps && !locator.apps.includes(globalId.app)) {
    throw new DeserializationError(`${globalId.toString()}: app "${globalId.app}" is not accepted by the ${globalId.modelName} locator`);
  }
  return locator;
}

function found(globalId: GlobalId, record: unknown): unknown {
  if (record === null || record === undefined) {
    throw new DeserializationError(`Couldn't find ${globalId.modelName} with id ${globalId.modelId} (${globalId.toString()})`);
  }
  return record;
}

/**
 * Locates every GlobalID, keyed by its canonical text. Every model is checked first, so
 * an unregistered one fails before any record is loaded. Errors a locator throws itself
 * (a database that is down) propagate unchanged, so retry rules see them as they are.
 */
export async function locateAll(globalIds: readonly GlobalId[]): Promise<Map<string, unknown>> {
  const byModel = new Map<string, Map<string, GlobalId>>();
  for (const globalId of globalIds) {
    locatorFor(globalId);
    const group = byModel.get(globalId.modelName) ?? new Map<string, GlobalId>();
    group.set(globalId.toString(), globalId);
    byModel.set(globalId.modelName, group);
  }
  const records = new Map<string, unknown>();
  await Promise.all(
    [...byModel.values()].map(async (group) => {
      const ids = [...group.values()];
      const first = ids[0] as GlobalId;
      const locator = locatorFor(first);
      if (locator.findMany && ids.length > 1) {
        const results = await locator.findMany(
          ids.map((id) => id.modelId),
          ids,
        );
        if (!Array.isArray(results) || results.length !== ids.length) {
          throw new DeserializationError(`the ${first.modelName} locator's findMany returned no entry per id`);
        }
        for (const [index, id] of ids.entries()) records.set(id.toString(), found(id, results[index]));
      } else {
        await Promise.all(
          ids.map(async (id) => {
            records.set(id.toString(), found(id, await locator.find(id.modelId, id)));
          }),
        );
      }
    }),
  );
  return records;
}
