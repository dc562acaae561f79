import { GlobalId, type GlobalIdentification } from '../../src/index.js';

/** A record that identifies itself, as an ORM model would. */
export class User implements GlobalIdentification {
  constructor(
    readonly id: number,
    readonly name: string,
  ) {}

  toGlobalId(): GlobalId {
    return GlobalId.create('User', this.id, { app: 'shop' });
  }
}

export const USERS = new Map([
  ['1', new User(1, 'Ada')],
  ['2', new User(2, 'Grace')],
  ['42', new User(42, 'Linus')],
]);
