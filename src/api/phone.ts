import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** E.164 for a valid number; a national number is read in the default region. */
export function phoneNormalizer(defaultRegion: string | undefined): (input: string) => string | undefined {
  return (input) => {
    const parsed = parsePhoneNumberFromString(input, defaultRegion as CountryCode | undefined);
    return parsed?.isValid() ? parsed.number : undefined;
  };
}
