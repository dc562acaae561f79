/**
 * A Ruby Symbol (`:pending`). JS symbols cannot travel, so Ruby symbols arrive as
 * RubySymbol and a RubySymbol is what makes Ruby receive a Symbol.
 * Travels as `ActiveJob::Serializers::SymbolSerializer` with the value "pending".
 */
export class RubySymbol {
  constructor(readonly name: string) {
    if (typeof name !== 'string') throw new TypeError('a RubySymbol name must be a string');
  }

  equals(other: unknown): boolean {
    return other instanceof RubySymbol && other.name === this.name;
  }

  toString(): string {
    return this.name;
  }

  toJSON(): string {
    return this.name;
  }
}
