// PUBLIC_URL: where clients reach the service (https://booking.example, or
// with a path prefix), for the links it hands out, such as a calendar
// feed's URL. Unset, a link is built from the request's protocol and host
// (forwarded ones only from TRUST_PROXY's proxies).
import type { Config } from '../config.js';
import type { Settings } from './settings.js';

export function publicUrlSettings(s: Settings): Pick<Config, 'publicUrl'> {
  const value = s.url('PUBLIC_URL', ['http:', 'https:']);
  if (value === undefined) return { publicUrl: undefined };
  const parsed = new URL(value);
  if (parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '') {
    s.problems.push('PUBLIC_URL must be a base URL like https://booking.example (no query, fragment or credentials)');
    return { publicUrl: undefined };
  }
  return { publicUrl: value.replace(/\/+$/, '') };
}
