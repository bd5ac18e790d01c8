import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// README's request examples, read the way a person reads them, and checked
// against the OpenAPI document the app serves (test/readme-examples.test.ts).
//
// Where an example may stand, inside README's "## API" section:
//
// 1. In a table row, as a JSON code span after "e.g." (more than one joined
//    by "or"):
//      | `POST /api/v1/organizations/{org}/places` | ... | e.g. `{ "name": "Room 2" }` |
//    It counts for every operation named in the row's first cell whose body
//    schema it fits, and must fit at least one. The first cell's code spans
//    name the routes: `POST, GET /api/v1/x/{id}`; `/other` (the previous
//    route with its last segment replaced, same methods); `PATCH .../y/{id}`
//    (the previous route from its segment `y` on replaced). A query string
//    is ignored.
// 2. Under "### Request bodies" (or anywhere in the section), in an `http`
//    fenced block: a line `METHOD /path` followed by the JSON body on the
//    next lines, requests separated by a blank line; lines starting with `#`
//    are comments:
//      ```http
//      POST /api/v1/organizations/{org}/places
//      { "name": "Room 2", "address": "Tverskaya 1, Moscow" }
//      ```
//    It must fit that operation's body schema.
//
// A path matches an operation whatever its parameters are called (`{id}`
// or `{client}`); literal segments (`me`) must be the same.

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const METHODS = /^(GET|POST|PUT|PATCH|DELETE)(?:,\s*(?:GET|POST|PUT|PATCH|DELETE))*$/;

/** `POST /api/v1/clients/{}`: one key per operation, whatever its parameters are called. */
export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.replace(/\{[^}]*\}/g, '{}')}`;
}

/** The text of README's "## API" section, with the line number it starts on. */
export function apiSection(readme: string): { text: string; firstLine: number } {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => line.trim() === '## API');
  if (start < 0) return { text: '', firstLine: 0 };
  const length = lines.slice(start + 1).findIndex((line) => /^## /.test(line));
  const end = length < 0 ? lines.length : start + 1 + length;
  return { text: lines.slice(start, end).join('\n'), firstLine: start + 1 };
}

/** A route as a row's first cell names it, its abbreviations resolved (keys, see routeKey). */
export function rowRoutes(firstCell: string): string[] {
  const keys: string[] = [];
  let methods: string[] = [];
  let previous = '';
  for (const [, span] of firstCell.matchAll(/`([^`]+)`/g)) {
    const words = span!.trim().split(/\s+(?=[/.])/);
    const named = words.length > 1 && METHODS.test(words[0]!) ? words[0]!.split(/,\s*/) : undefined;
    let path = (named ? words.slice(1).join(' ') : span!).trim().replace(/[?\s].*$/, '');
    if (path.startsWith('...')) {
      const tail = path.slice(3);
      const first = tail.split('/')[1] ?? '';
      const segments = previous.split('/');
      const at = segments.lastIndexOf(first);
      path = at < 0 ? previous + tail : segments.slice(0, at).join('/') + tail;
    } else if (!named && path.startsWith('/') && previous) {
      path = previous.replace(/\/[^/]*$/, '') + path;
    }
    if (!path.startsWith('/')) continue;
    if (named) methods = named;
    previous = path;
    for (const method of methods) keys.push(routeKey(method, path));
  }
  return keys;
}

export interface Example {
  /** Where it stands, for a person: `README.md:212`. */
  readonly at: string;
  /** The operations it is offered for (routeKey); a row offers it for each route it names. */
  readonly routes: readonly string[];
  /** True for a row's example: it needs to fit one of its routes, not all. */
  readonly anyOf: boolean;
  readonly json: string;
}

/** Every request example of the section, in the two forms above. */
export function readmeExamples(readme: string): Example[] {
  const { text, firstLine } = apiSection(readme);
  const lines = text.split('\n');
  const examples: Example[] = [];
  let fence: string | undefined;
  let request: { key: string; line: number; body: string[] } | undefined;
  const endRequest = () => {
    if (request) examples.push({ at: `README.md:${request.line}`, routes: [request.key], anyOf: false, json: request.body.join('\n') });
    request = undefined;
  };
  lines.forEach((line, index) => {
    const lineNumber = firstLine + index;
    if (fence !== undefined) {
      if (/^```\s*$/.test(line)) {
        endRequest();
        fence = undefined;
      } else if (fence === 'http') {
        const head = /^(GET|POST|PUT|PATCH|DELETE)\s+(\/\S*)\s*$/.exec(line);
        if (head) {
          endRequest();
          request = { key: routeKey(head[1]!, head[2]!.replace(/\?.*$/, '')), line: lineNumber, body: [] };
        } else if (line.trim() === '') endRequest();
        else if (!line.startsWith('#') && request) request.body.push(line);
      }
      return;
    }
    const opening = /^```(\S*)/.exec(line);
    if (opening) {
      fence = opening[1] ?? '';
      return;
    }
    if (!line.startsWith('|')) return;
    const cells = line.split(/(?<!\\)\|/);
    const routes = rowRoutes(cells[1] ?? '');
    if (routes.length === 0) return;
    const rest = cells.slice(2).join('|');
    for (const [, chain] of rest.matchAll(/e\.g\.\s+((?:`\{[^`]*\}`)(?:,?\s+or\s+`\{[^`]*\}`)*)/g)) {
      for (const [, json] of chain!.matchAll(/`(\{[^`]*\})`/g)) examples.push({ at: `README.md:${lineNumber}`, routes, anyOf: true, json: json! });
    }
  });
  endRequest();
  return examples;
}

export interface BodyOperation {
  /** As the document writes it: `POST /api/v1/organizations/{org}/places`. */
  readonly name: string;
  readonly validate: ValidateFunction;
}

interface OpenApiDocument {
  readonly paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>>;
}

const pointer = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/** ajv-formats' uuid also takes a "urn:uuid:" prefix; the app takes the 36 characters alone. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A validator of each JSON request body the document describes, for the
 * paths `include` keeps, keyed by routeKey. Formats as the app checks them;
 * `isPhone` says which phones an example may show (README writes E.164).
 * References into the document's components resolve: the document itself is
 * the schema they point into.
 */
export function bodyOperations(document: unknown, include: (path: string) => boolean, isPhone: (value: string) => boolean): Map<string, BodyOperation> {
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  ajv.addFormat('uuid', UUID);
  ajv.addFormat('phone', isPhone);
  ajv.addSchema(document as object, 'openapi.json');
  const operations = new Map<string, BodyOperation>();
  for (const [path, methods] of Object.entries((document as OpenApiDocument).paths)) {
    if (!include(path)) continue;
    for (const [method, operation] of Object.entries(methods)) {
      if (!operation?.requestBody?.content?.['application/json']) continue;
      const ref = `openapi.json#/paths/${pointer(path)}/${method}/requestBody/content/${pointer('application/json')}/schema`;
      operations.set(routeKey(method, path), { name: `${method.toUpperCase()} ${path}`, validate: ajv.compile({ $ref: ref }) });
    }
  }
  return operations;
}

const described = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((error) => `${error.instancePath || '(body)'} ${error.message ?? error.keyword}${error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : ''}`).join('; ');

/**
 * What is wrong, one line each: an operation without an example, an example
 * that is not JSON, fits no operation it is offered for, or names a route
 * that takes no body.
 */
export function exampleProblems(
  examples: readonly Example[],
  operations: ReadonlyMap<string, BodyOperation>,
  whereExamplesGo = 'in README\'s API section (in its row after "e.g.", or under "### Request bodies")',
): string[] {
  const problems: string[] = [];
  const covered = new Set<string>();
  for (const example of examples) {
    let body: unknown;
    try {
      body = JSON.parse(example.json);
    } catch (error) {
      problems.push(`${example.at}: not JSON (${(error as Error).message}): ${example.json}`);
      continue;
    }
    const offered = example.routes.filter((key) => operations.has(key));
    if (offered.length === 0) {
      problems.push(`${example.at}: ${example.routes.join(', ')} takes no JSON body in the document (a typo in the route?)`);
      continue;
    }
    const misfits: string[] = [];
    for (const key of offered) {
      const operation = operations.get(key)!;
      if (operation.validate(body)) covered.add(key);
      else misfits.push(`${operation.name}: ${described(operation.validate.errors)}`);
    }
    if (example.anyOf ? misfits.length === offered.length : misfits.length > 0) {
      problems.push(`${example.at}: the example does not fit ${misfits.join(' | ')}: ${example.json}`);
    }
  }
  for (const [key, operation] of operations) {
    if (!covered.has(key)) problems.push(`${operation.name}: no request example ${whereExamplesGo}`);
  }
  return problems;
}

