// Behaviours that share one runtime each bring their own people: these give
// every call a phone and an email no other behaviour in the file uses.

let taken = 0;

/** A Russian mobile number in E.164 that no other call in this process returns. */
export function uniquePhone(): string {
  return `+7952${String(++taken).padStart(7, '0')}`;
}

/** `name-<n>@<domain>`, never returned twice in this process. */
export function uniqueEmail(name = 'someone', domain = 'clinic.example'): string {
  return `${name}-${++taken}@${domain}`;
}

/** '+79520000012' as a Russian would write it: '8 (952) 000-00-12'. */
export function national(phone: string): string {
  return `8 (${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8, 10)}-${phone.slice(10)}`;
}
