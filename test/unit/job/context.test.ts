import { afterEach, describe, expect, it } from 'vitest';
import { configure, currentLocale, currentTimezone, Job, withLocale, withTimezone } from '../../../src/index.js';
import { RecordingAdapter } from '../../support/recording-adapter.js';
import { resetConfiguration } from '../../../src/testing/index.js';

afterEach(() => resetConfiguration());

describe('locale and timezone context', () => {
  it('defaults to the configured locale and timezone', () => {
    expect(currentLocale()).toBe('en');
    expect(currentTimezone()).toBe('UTC');
    configure({ defaultLocale: 'pt-BR', defaultTimezone: 'America/Sao_Paulo' });
    expect(currentLocale()).toBe('pt-BR');
    expect(currentTimezone()).toBe('America/Sao_Paulo');
  });

  it('follows async calls inside withLocale / withTimezone and nests', async () => {
    const seen = await withLocale('es', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return withTimezone('Europe/Madrid', async () => {
        await Promise.resolve();
        return [currentLocale(), currentTimezone()];
      });
    });
    expect(seen).toEqual(['es', 'Europe/Madrid']);
    expect(currentLocale()).toBe('en');
  });

  it('is captured into the envelope at enqueue', async () => {
    const adapter = new RecordingAdapter();
    class GreetJob extends Job {
      static override adapter = adapter;
      perform(): void {}
    }
    const job = await withLocale('eo', () => withTimezone('Asia/Tokyo', () => GreetJob.performLater()));
    expect(job.locale).toBe('eo');
    expect(job.timezone).toBe('Asia/Tokyo');
    expect(adapter.envelopes[0]).toMatchObject({ locale: 'eo', timezone: 'Asia/Tokyo' });
  });
});
