import { afterEach, describe, expect, it } from 'vitest';
import { configure, Decimal, Job, RubyRange, SerializationError, serializeArguments } from '../../../src/index.js';
import { RecordingAdapter } from '../../support/recording-adapter.js';
import { resetConfiguration } from '../../../src/testing/index.js';

class InvoiceJob extends Job {
  static override jobName = 'InvoiceJob';
  async perform(_amount: unknown): Promise<void> {}
}

describe('railsCompatibility setting', () => {
  afterEach(() => resetConfiguration());

  it('writes what Rails 7.1 reads by default (BigDecimalSerializer)', async () => {
    const adapter = new RecordingAdapter();
    configure({ adapter });
    await InvoiceJob.performLater(new Decimal('12.50'));
    expect(adapter.envelopes[0]!.arguments[0]).toEqual({ _aj_serialized: 'ActiveJob::Serializers::BigDecimalSerializer', value: '12.50' });
  });

  it('with 6.1, writes a Decimal as the bare string Rails 6.1 sends', async () => {
    const adapter = new RecordingAdapter();
    configure({ adapter, railsCompatibility: '6.1' });
    await InvoiceJob.performLater(new Decimal('12.50'));
    expect(adapter.envelopes[0]!.arguments[0]).toBe('12.5'); // BigDecimal#to_s, as Rails 6.1 writes it
  });

  it('with 6.1, refuses at enqueue what Rails 6.1 cannot read, publishing nothing', async () => {
    const adapter = new RecordingAdapter();
    configure({ adapter, railsCompatibility: '6.1' });
    await expect(InvoiceJob.performLater(new RubyRange(1, 5))).rejects.toBeInstanceOf(SerializationError);
    expect(adapter.calls).toHaveLength(0);
  });

  it('a job class that knows its Rails reader is 6.1 (static railsCompatibility) writes 6.1 whatever the global setting', async () => {
    class LegacyInvoiceJob extends InvoiceJob {
      static override jobName = 'LegacyInvoiceJob';
      static override railsCompatibility = '6.1' as const;
    }
    const adapter = new RecordingAdapter();
    configure({ adapter });
    await LegacyInvoiceJob.performLater(new Decimal('12.50'));
    expect(adapter.envelopes[0]!.arguments[0]).toBe('12.5'); // BigDecimal#to_s, as Rails 6.1 writes it
    const refused = LegacyInvoiceJob.performLater(new RubyRange(1, 5));
    await expect(refused).rejects.toBeInstanceOf(SerializationError);
    await expect(LegacyInvoiceJob.performLater(new RubyRange(1, 5))).rejects.toThrow(/Rails 6\.1/);
    expect(adapter.calls).toHaveLength(1);
    // Its siblings keep the global setting.
    await InvoiceJob.performLater(new Decimal('1.5'));
    expect(adapter.envelopes[1]!.arguments[0]).toEqual({ _aj_serialized: 'ActiveJob::Serializers::BigDecimalSerializer', value: '1.5' });
  });
});

describe("a Decimal in Rails 6.1 form is Ruby's BigDecimal#to_s text", () => {
  // Left: the Decimal's text; right: what `BigDecimal(text).to_s` prints with Active Support 6.1 (ruby 3.1).
  it.each([
    ['5', '5.0'],
    ['0', '0.0'],
    ['-0', '-0.0'],
    ['12.50', '12.5'],
    ['1e-20', '0.00000000000000000001'],
    ['1.5e3', '1500.0'],
    ['0.125e1', '1.25'],
    ['+5', '5.0'],
    ['.5', '0.5'],
    ['-12.34e-2', '-0.1234'],
    ['1E+2', '100.0'],
    ['0.000', '0.0'],
    ['123456789012345678901234567890.5', '123456789012345678901234567890.5'],
    ['+Infinity', 'Infinity'],
    ['NaN', 'NaN'],
  ])('%s -> %s', (text, ruby) => {
    expect(new Decimal(text).toRubyString()).toBe(ruby);
    expect(serializeArguments([new Decimal(text)], { railsCompatibility: '6.1' })).toEqual([ruby]);
  });
});
