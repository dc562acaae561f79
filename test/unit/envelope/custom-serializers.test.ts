import { beforeEach, describe, expect, it } from 'vitest';
import {
  type ArgumentSerializer,
  CalendarDate,
  DeserializationError,
  deserializeArguments,
  registerLocator,
  registerSerializer,
  RegistrationError,
  SerializationError,
  serializeArguments,
} from '../../../src/index.js';
import { resetArgumentRegistries } from '../../../src/testing/index.js';
import { USERS } from '../../support/users.js';
import { codecs, roundTrip } from '../../support/codecs.js';

class Money {
  constructor(
    readonly cents: number,
    readonly currency: string,
  ) {}
}

const moneySerializer: ArgumentSerializer<Money> = {
  name: 'MoneySerializer',
  isSerializable: (value) => value instanceof Money,
  serialize: (money) => ({ cents: money.cents, currency: money.currency }),
  deserialize: (hash) => {
    if (typeof hash.cents !== 'number' || typeof hash.currency !== 'string') throw new Error('bad money');
    return new Money(hash.cents, hash.currency);
  },
};

class Invoice {
  constructor(
    readonly customer: unknown,
    readonly due: CalendarDate,
  ) {}
}

/** A serializer with nested arguments (a record and a date) and an async deserialize. */
const invoiceSerializer: ArgumentSerializer<Invoice> = {
  name: 'InvoiceSerializer',
  isSerializable: (value) => value instanceof Invoice,
  serialize: (invoice, context) => ({ customer: context.serialize(invoice.customer), due: context.serialize(invoice.due) }),
  deserialize: async (hash, context) =>
    new Invoice(await context.deserialize(hash.customer ?? null), (await context.deserialize(hash.due ?? null)) as CalendarDate),
};

beforeEach(() => {
  resetArgumentRegistries();
  registerSerializer(moneySerializer);
  registerSerializer(invoiceSerializer);
  registerLocator('User', { find: (id) => USERS.get(id) });
});

describe('custom serializers', () => {
  it('write {"_aj_serialized": name, ...hash} as Rails custom serializers do', () => {
    expect(serializeArguments([new Money(1250, 'EUR')])).toEqual([{ _aj_serialized: 'MoneySerializer', cents: 1250, currency: 'EUR' }]);
  });

  it.each(codecs)('round-trip through the %s codec, with nested records and an async deserialize', async (_name, codec) => {
    const values = [new Money(1250, 'EUR'), new Invoice(USERS.get('2'), new CalendarDate(2024, 6, 30))];
    const result = await roundTrip(codec, values);
    expect(result).toEqual(values);
    expect((result[1] as Invoice).customer).toBe(USERS.get('2'));
    expect(result[0]).toBeInstanceOf(Money);
  });

  it('refuse a duplicate name, a Rails built-in name, and incomplete serializers', () => {
    expect(() => registerSerializer(moneySerializer)).toThrow(RegistrationError);
    expect(() => registerSerializer({ ...moneySerializer, name: 'ActiveJob::Serializers::DateSerializer' })).toThrow(/built-in/);
    expect(() => registerSerializer({ ...moneySerializer, name: '' })).toThrow(RegistrationError);
    expect(() => registerSerializer({ name: 'Half', isSerializable: () => false } as never)).toThrow(/serialize/);
  });

  it('refuse output that is not JSON or sets _aj_serialized, at enqueue', () => {
    registerSerializer<Set<number>>({
      name: 'BadSet',
      isSerializable: (value) => value instanceof Set,
      serialize: (set) => ({ items: [...set] as number[], when: new Date() as never }),
      deserialize: () => new Set(),
    });
    expect(() => serializeArguments([new Set([1])])).toThrow(SerializationError);
    expect(() => serializeArguments([new Set([1])])).toThrow(/not JSON/);
  });

  it('turn a failing deserialize into DeserializationError', async () => {
    const args = [{ _aj_serialized: 'MoneySerializer', cents: 'lots' }];
    await expect(deserializeArguments(args)).rejects.toBeInstanceOf(DeserializationError);
    await expect(deserializeArguments(args)).rejects.toThrow(/serializer MoneySerializer failed: bad money/);
  });

  it('turn a failing async deserialize into DeserializationError', async () => {
    const args = [{ _aj_serialized: 'InvoiceSerializer', customer: { _aj_globalid: 'gid://shop/User/404' }, due: null }];
    await expect(deserializeArguments(args)).rejects.toThrow(/Couldn't find User with id 404/);
  });

  it('are forgotten on resetArgumentRegistries()', async () => {
    resetArgumentRegistries();
    expect(() => serializeArguments([new Money(1, 'EUR')])).toThrow(/unsupported argument type Money/);
    await expect(deserializeArguments([{ _aj_serialized: 'MoneySerializer', cents: 1, currency: 'EUR' }])).rejects.toThrow(
      /unknown serializer "MoneySerializer"/,
    );
  });
});
