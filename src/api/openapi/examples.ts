// Examples for the OpenAPI document: a value that validates against each
// request and response schema, built from the schema itself, so every
// operation (new ones included) shows one without anyone keeping copies of the
// shapes by hand. Where a schema, or a field of it, carries its own `example`
// or `examples`, that is used: hand-written examples win.

/** An OpenAPI 3.0 schema object, as @fastify/swagger writes it. */
export interface OpenApiSchema {
  readonly $ref?: string;
  readonly type?: string;
  readonly format?: string;
  readonly pattern?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly default?: unknown;
  readonly example?: unknown;
  readonly examples?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number | boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly nullable?: boolean;
  readonly items?: OpenApiSchema;
  readonly properties?: Readonly<Record<string, OpenApiSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | OpenApiSchema;
  readonly patternProperties?: Readonly<Record<string, OpenApiSchema>>;
  readonly anyOf?: readonly OpenApiSchema[];
  readonly oneOf?: readonly OpenApiSchema[];
  readonly allOf?: readonly OpenApiSchema[];
}

const COMPONENT = '#/components/schemas/';

/** Text values by format: what a reader expects to see, and what the format accepts. */
const BY_FORMAT: Readonly<Record<string, string>> = {
  uuid: '3f6c2b8e-5d41-4e0b-9a7c-1b2d3e4f5a60',
  'date-time': '2026-12-01T09:30:00+03:00',
  date: '2026-12-01',
  email: 'anna.petrova@clinic.example',
  phone: '+79517586284',
  uri: 'https://clinic.example/',
};

/** Values for the patterns the API uses (a pattern cannot be sampled in general): the first that matches wins. */
const PATTERNED = ['123456', 'RUB', '09:30', '2026-12-01 09:30:00', '42', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'main'];

/** Text by field name, where a bare "text" would read oddly. */
const BY_FIELD: Readonly<Record<string, string>> = {
  first_name: 'Anna',
  last_name: 'Petrova',
  patronymic: 'Sergeevna',
  name: 'Anna Petrova',
  address: '12 Lenina St, Moscow',
  timezone: 'Europe/Moscow',
  time_zone: 'Europe/Moscow',
  currency: 'RUB',
  password: 'correct horse battery',
  current_password: 'correct horse battery',
  new_password: 'a new long passphrase',
  access: 'eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl',
  refresh: 'rt_4f9a2c7e1b3d5f7a9c1e3a5c7e9a1c3e',
  detail: 'Not found.',
  code: '123456',
  specialty: 'Dentist',
  service: 'Consultation',
  description: 'Ground floor, room 3',
  cancel_reason: 'The client asked to cancel.',
  reason: 'The client asked to cancel.',
  kind: 'user',
  type: 'AppointmentBooked',
  additional_info: 'Prefers morning visits.',
  sex: 'female',
};

/** Numbers by field name (within the schema's bounds): 60 minutes reads better than the minimum 5. */
const NUMBER_BY_FIELD: Readonly<Record<string, number>> = {
  duration: 60,
  duration_minutes: 60,
  amount: 150000,
  expires_in: 900,
  capacity: 1,
  seats_left: 1,
  weekday: 1,
  every_weeks: 1,
  count: 4,
  limit: 20,
};

function fitLength(text: string, schema: OpenApiSchema): string {
  let value = text;
  if (schema.maxLength !== undefined && value.length > schema.maxLength) value = value.slice(0, schema.maxLength);
  if (schema.minLength !== undefined && value.length < schema.minLength) value = value.padEnd(schema.minLength, 'x');
  return value;
}

function sampleText(schema: OpenApiSchema, field: string | undefined): string {
  if (schema.format !== undefined && BY_FORMAT[schema.format] !== undefined) return BY_FORMAT[schema.format]!;
  if (schema.pattern !== undefined) {
    const pattern = new RegExp(schema.pattern, 'u');
    const fitting = [field === undefined ? undefined : BY_FIELD[field], ...PATTERNED].find((text) => text !== undefined && pattern.test(text));
    if (fitting !== undefined) return fitting;
  }
  return fitLength((field === undefined ? undefined : BY_FIELD[field]) ?? 'text', schema);
}

function sampleNumber(schema: OpenApiSchema, integer: boolean, field: string | undefined): number {
  const low = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : schema.exclusiveMinimum === true ? (schema.minimum ?? 0) + 1 : schema.minimum;
  let value = (field === undefined ? undefined : NUMBER_BY_FIELD[field]) ?? low ?? 1;
  if (low !== undefined && value < low) value = low;
  if (schema.maximum !== undefined && value > schema.maximum) value = schema.maximum;
  return integer ? Math.ceil(value) : value;
}

/** A value valid against `schema`, resolving `$ref`s among `components`. */
export function sample(schema: OpenApiSchema, components: Readonly<Record<string, OpenApiSchema>>, field?: string, depth = 0): unknown {
  if (schema.$ref !== undefined) {
    const target = components[schema.$ref.slice(COMPONENT.length)];
    return target === undefined || depth > 12 ? {} : sample(target, components, field, depth + 1);
  }
  if (schema.example !== undefined) return schema.example;
  if (schema.examples !== undefined && schema.examples.length > 0) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum !== undefined && schema.enum.length > 0) return schema.enum.find((value) => value !== null) ?? schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices !== undefined && choices.length > 0) {
    const chosen = choices.find((choice) => choice.type !== 'null' && !(choice.enum?.length === 1 && choice.enum[0] === null)) ?? choices[0]!;
    return sample(chosen, components, field, depth + 1);
  }
  if (schema.allOf !== undefined) {
    return Object.assign({}, ...schema.allOf.map((part) => sample(part, components, field, depth + 1)));
  }
  switch (schema.type) {
    case 'string':
      return sampleText(schema, field);
    case 'integer':
      return sampleNumber(schema, true, field);
    case 'number':
      return sampleNumber(schema, false, field);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const item = schema.items === undefined ? 'text' : sample(schema.items, components, field, depth + 1);
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => item);
    }
    default:
      return sampleObject(schema, components, depth);
  }
}

function sampleObject(schema: OpenApiSchema, components: Readonly<Record<string, OpenApiSchema>>, depth: number): unknown {
  if (schema.properties === undefined && schema.additionalProperties === undefined && schema.patternProperties === undefined) {
    return schema.type === 'object' ? {} : 'text';
  }
  const value: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) value[name] = sample(property, components, name, depth + 1);
  const [, patterned] = Object.entries(schema.patternProperties ?? {})[0] ?? [];
  if (Object.keys(value).length === 0 && patterned !== undefined) value.main = sample(patterned, components, undefined, depth + 1);
  else if (Object.keys(value).length === 0 && typeof schema.additionalProperties === 'object') {
    value.main = sample(schema.additionalProperties, components, undefined, depth + 1);
  }
  return value;
}
