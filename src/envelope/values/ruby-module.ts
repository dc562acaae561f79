/**
 * A Ruby Class or Module passed as an argument (`perform_later(User)`), by name: "User",
 * "Billing::Invoice". warren never resolves the name to anything; it only carries it, so a
 * Rails job with a class argument reaches `perform`, and a RubyModule makes Ruby receive the
 * constant of that name (Rails looks it up with `constantize`).
 * Travels as `ActiveJob::Serializers::ModuleSerializer` (Rails 6.1 and later).
 */
export class RubyModule {
  readonly name: string;

  /** Throws RangeError unless `name` is a Ruby constant path ("Billing::Invoice"). */
  constructor(name: string) {
    if (typeof name !== 'string' || name.length > 1_000 || !CONSTANT_PATH.test(name)) {
      throw new RangeError('a RubyModule name must be a Ruby constant path such as "Billing::Invoice"');
    }
    this.name = name;
  }

  equals(other: unknown): boolean {
    return other instanceof RubyModule && other.name === this.name;
  }

  toString(): string {
    return this.name;
  }

  toJSON(): string {
    return this.name;
  }
}

/** `Name` or `Outer::Name`, each part a constant name (a capital letter, then word characters). */
const CONSTANT_PATH = /^(?:::)?[A-Z]\w*(?:::[A-Z]\w*)*$/;
