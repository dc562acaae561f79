import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configure, DeserializationError, deserializeArguments, GlobalId, registerLocator, RegistrationError, serializeArguments } from '../../../src/index.js';
import { resetArgumentRegistries, resetConfiguration } from '../../../src/testing/index.js';
import { cgiEscape, cgiUnescape } from '../../../src/envelope/global-id.js';
import { USERS, type User } from '../../support/users.js';

beforeEach(() => resetArgumentRegistries());
afterEach(() => resetConfiguration());

describe('GlobalId', () => {
  it('formats and parses gid://<app>/<Model>/<id>', () => {
    const gid = GlobalId.parse('gid://shop/Admin::User/42');
    expect(gid).toMatchObject({ app: 'shop', modelName: 'Admin::User', modelId: '42' });
    expect(gid.toString()).toBe('gid://shop/Admin::User/42');
  });

  it('takes the app from settings().globalIdApp unless given', () => {
    expect(GlobalId.create('User', 1).toString()).toBe('gid://warren/User/1');
    configure({ globalIdApp: 'billing' });
    expect(GlobalId.create('User', 1).toString()).toBe('gid://billing/User/1');
    expect(GlobalId.create('User', 1, { app: 'shop' }).app).toBe('shop');
  });

  it('escapes ids as Ruby CGI.escape does and reads them back', () => {
    const gid = GlobalId.create('Tag', 'a b/c?d&é~x.y_z-1', { app: 'shop' });
    expect(gid.toString()).toBe('gid://shop/Tag/a+b%2Fc%3Fd%26%C3%A9~x.y_z-1');
    expect(GlobalId.parse(gid.toString()).modelId).toBe('a b/c?d&é~x.y_z-1');
    expect(cgiEscape("it's (1)*!")).toBe('it%27s+%281%29%2A%21');
    expect(cgiUnescape('%zz')).toBeUndefined();
  });

  it('reads composite ids and params', () => {
    const gid = GlobalId.parse('gid://shop/Order/7/12?tenant=acme');
    expect(gid.modelIds).toEqual(['7', '12']);
    expect(gid.modelId).toBe('7/12');
    expect(gid.params).toEqual({ tenant: 'acme' });
    expect(gid.toString()).toBe('gid://shop/Order/7/12?tenant=acme');
  });

  it.each([
    ['not a gid', 'hello'],
    ['another scheme', 'http://shop/User/1'],
    ['no model', 'gid://shop//1'],
    ['no id', 'gid://shop/User/'],
    ['no app', 'gid:///User/1'],
    ['a bad model name', 'gid://shop/1User/1'],
    ['a bad escape', 'gid://shop/User/%E0%A4%A'],
    ['a fragment', 'gid://shop/User/1#x'],
  ])('refuses %s with the reason', (_label, text) => {
    expect(typeof GlobalId.tryParse(text)).toBe('string');
    expect(() => GlobalId.parse(text)).toThrow(RangeError);
  });

  it('refuses a record without an id when created', () => {
    expect(() => GlobalId.create('User', '')).toThrow(/maybe the record was not saved/);
    // Plain JS callers can pass what the types forbid: an unsaved record's null or undefined id.
    for (const id of [null, undefined, [1, null], {}]) {
      expect(() => GlobalId.create('User', id as unknown as string)).toThrow(/maybe the record was not saved/);
    }
    // And a record whose toGlobalId() does that is refused at enqueue, not published as gid://app/User/null.
    const unsaved = { id: null, toGlobalId: () => GlobalId.create('User', null as unknown as string) };
    expect(() => serializeArguments([unsaved])).toThrow(/maybe the record was not saved/);
  });
});

describe('locators', () => {
  it('serializes an object with toGlobalId() as {"_aj_globalid": ...}', () => {
    expect(serializeArguments([USERS.get('1')])).toEqual([{ _aj_globalid: 'gid://shop/User/1' }]);
    expect(serializeArguments([{ toGlobalId: () => 'gid://shop/User/7' }])).toEqual([{ _aj_globalid: 'gid://shop/User/7' }]);
  });

  it('locates records through the locator registered for the model, whatever the app (as Rails does)', async () => {
    registerLocator('User', { find: (id) => USERS.get(id) });
    const [a, b] = await deserializeArguments([{ _aj_globalid: 'gid://shop/User/1' }, { _aj_globalid: 'gid://other-app/User/2' }]);
    expect(a).toBe(USERS.get('1'));
    expect(b).toBe(USERS.get('2'));
  });

  it('refuses GlobalIDs of other apps when the locator names its apps', async () => {
    registerLocator('User', { find: (id) => USERS.get(id), apps: ['shop'] });
    await expect(deserializeArguments([{ _aj_globalid: 'gid://other/User/1' }])).rejects.toThrow(/app "other" is not accepted/);
  });

  it('batches lookups of one model through findMany and finds each record once', async () => {
    const calls: string[][] = [];
    registerLocator('User', {
      find: () => {
        throw new Error('find must not be called when findMany exists');
      },
      findMany: async (ids) => {
        calls.push([...ids]);
        return ids.map((id) => USERS.get(id));
      },
    });
    const gid = (id: number) => ({ _aj_globalid: `gid://shop/User/${id}` });
    const args = await deserializeArguments([gid(1), [gid(2), { owner: gid(1), _aj_symbol_keys: [] }]]);
    expect(calls).toEqual([['1', '2']]);
    expect(args).toEqual([USERS.get('1'), [USERS.get('2'), { owner: USERS.get('1') }]]);
  });

  it('raises DeserializationError when findMany misses a record', async () => {
    registerLocator('User', { find: () => null, findMany: (ids) => ids.map((id) => (id === '1' ? USERS.get(id) : null)) });
    await expect(deserializeArguments([{ _aj_globalid: 'gid://shop/User/1' }, { _aj_globalid: 'gid://shop/User/5' }])).rejects.toThrow(
      /Couldn't find User with id 5/,
    );
  });

  it('raises DeserializationError for a missing record, so discardOn(DeserializationError) can drop the job', async () => {
    registerLocator('User', { find: async () => undefined });
    const outcome = deserializeArguments([{ _aj_globalid: 'gid://shop/User/1' }]);
    await expect(outcome).rejects.toBeInstanceOf(DeserializationError);
  });

  it("lets a locator's own failure (a database that is down) propagate unchanged, for retry rules", async () => {
    class DatabaseDown extends Error {}
    registerLocator('User', {
      find: async () => {
        throw new DatabaseDown('connection refused');
      },
    });
    await expect(deserializeArguments([{ _aj_globalid: 'gid://shop/User/1' }])).rejects.toBeInstanceOf(DatabaseDown);
  });

  it('refuses a second locator for one model, and invalid registrations', () => {
    registerLocator('User', { find: () => undefined });
    expect(() => registerLocator('User', { find: () => undefined })).toThrow(RegistrationError);
    expect(() => registerLocator('not a model', { find: () => undefined })).toThrow(RegistrationError);
    expect(() => registerLocator('Post', {} as never)).toThrow(RegistrationError);
  });

  it('forgets locators on resetArgumentRegistries()', async () => {
    registerLocator('User', { find: (id) => USERS.get(id) });
    resetArgumentRegistries();
    await expect(deserializeArguments([{ _aj_globalid: 'gid://shop/User/1' }])).rejects.toThrow(/no registered locator/);
  });

  it('round-trips records inside nested arguments', async () => {
    registerLocator('User', { find: (id) => USERS.get(id) });
    const value = { team: [USERS.get('1'), USERS.get('2')], lead: USERS.get('42') };
    const [result] = await deserializeArguments(serializeArguments([value]));
    expect(result).toEqual(value);
    expect((result as { lead: User }).lead).toBe(USERS.get('42'));
  });
});
