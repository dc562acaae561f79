import { OBJECT_SERIALIZER_KEY } from '../reserved-keys.js';
import { RubyModule } from '../values/ruby-module.js';
import { railsSerializerName, requireString, type BuiltinSerializer } from './serializer.js';

const NAME = railsSerializerName('ModuleSerializer');

/** Ruby Class/Module <-> RubyModule: `{ "_aj_serialized": "...ModuleSerializer", "value": "Billing::Invoice" }`. */
export const moduleSerializer: BuiltinSerializer<RubyModule> = {
  name: NAME,
  isSerializable: (value): value is RubyModule => value instanceof RubyModule,
  serialize: (module) => ({ [OBJECT_SERIALIZER_KEY]: NAME, value: module.name }),
  deserialize: (hash) => new RubyModule(requireString(hash, 'value', NAME)),
};
