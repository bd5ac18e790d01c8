import { errorCodes, type FastifyInstance, type FastifyRequest, type FastifySchema } from 'fastify';
import type { TSchema } from 'typebox';

// Seed 001 sends `client_id` in the body of a GET. Fastify never parses the
// body of a GET (and a GET route may not declare one), so the profile reads
// it here with the house's limits and rules: at most 64 KB as for any body,
// JSON only, and validated by the house's validator (closed, storable text,
// ids in lower case), so a bad body is the same 400 as anywhere else.

const LIMIT = 64 * 1024;
const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

/** The raw bytes of the request body; an empty buffer when it has none. */
function rawBody(request: FastifyRequest): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > LIMIT) return Promise.reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
  const payload = request.raw;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = () => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
    };
    // Listeners are removed rather than the stream destroyed, which would close the socket before the 413 is sent.
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += bytes.length;
      if (received > LIMIT) {
        stop();
        reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      stop();
      if (!Number.isNaN(declared) && received !== declared) reject(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      else resolve(Buffer.concat(chunks, received));
    };
    const onError = (error: Error) => {
      stop();
      reject(Object.assign(error, { statusCode: 400 }));
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  });
}

export type BodyReader<T> = (request: FastifyRequest) => Promise<T | undefined>;

/**
 * A reader of the JSON body of a GET, checked against `schema` by the app's
 * own validator: undefined when the request has no body; 400 on bad JSON or
 * a body the schema refuses, 413 over 64 KB, 415 for another media type.
 */
export function getBodyReader<T>(app: FastifyInstance, schema: TSchema, url: string): BodyReader<T> {
  const compiler = app.validatorCompiler;
  if (!compiler) throw new Error(`GET ${url}: the app has no validator compiler to check its body with`);
  const closed = { ...schema, additionalProperties: false };
  const validate = compiler({ schema: closed as FastifySchema, method: 'GET', url, httpPart: 'body' });
  return async (request) => {
    const raw = await rawBody(request);
    if (raw.length === 0) return undefined;
    if (!JSON_MEDIA_TYPE.test(request.headers['content-type'] ?? '')) throw new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE();
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY();
    }
    // The house's compiler answers true or false, and leaves its errors on the function (src/api/validation.ts).
    if (validate(body) === true) return body as T;
    const errors = (validate as unknown as { errors?: unknown[] }).errors ?? [];
    throw Object.assign(new Error('The request body is invalid.'), { statusCode: 400, validation: errors, validationContext: 'body' });
  };
}
