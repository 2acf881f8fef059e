import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalString } from '../../src/core/canonical.js';
import { compareNaturalNames, diagnoseMismatch, differingOrderings, LOWER_CASE_TOO, mismatchCauses } from '../../src/core/diagnose.js';
import { md5Hex, sign, signCanonical, verify } from '../../src/core/sign.js';

const key = 'K3yForT3st1ng';
const base = { mchId: '10000701', amount: 100, notifyUrl: 'https://shop.example/n', subject: 'a b' };

describe('differingOrderings', () => {
  it('is empty for the documented field set (all orderings agree)', () => {
    expect(differingOrderings(base)).toEqual([]);
  });
  it('names ASCII and natural orderings for mixed case and numbered names', () => {
    const names = differingOrderings({ B: '1', a: '2', param10: 'x', param2: 'y' }).map((o) => o.name);
    expect(names).toEqual(['ASCII', 'natural']);
  });
  it('natural order compares digit runs as numbers', () => {
    const sorted = ['param10=&', 'param2=&', 'param1=&'].sort(compareNaturalNames);
    expect(sorted).toEqual(['param1=&', 'param2=&', 'param10=&']);
  });
});

describe('mismatchCauses', () => {
  const others = new Map([
    ['test-key', 'made with the test key'],
    ['live-key', 'made with the live key'],
  ]);
  it.each([
    ['the other key that made it', sign(base, 'live-key'), ['made with the live key']],
    ['that key, and the case too', sign(base, 'test-key').toLowerCase(), ['made with the test key', LOWER_CASE_TOO]],
    ['what the fields show when no other key made it', sign(base, `${key}\n`), ['the sign was made with the key followed by a line break (read from a file or a secret with its newline): trim it']],
    ['nothing for a key no one knows', sign(base, 'nobody'), []],
  ])('names %s', (_, received, causes) => {
    expect(mismatchCauses({ ...base, sign: received }, key, received, others)).toEqual(causes);
  });
  it('without other keys, is diagnoseMismatch', () => {
    const received = sign(base, key).toLowerCase();
    expect(mismatchCauses({ ...base, sign: received }, key, received)).toEqual(diagnoseMismatch({ ...base, sign: received }, key, received));
  });
});

describe('diagnoseMismatch finds the likely cause', () => {
  it('a lower-case sign', () => {
    const s = sign(base, key).toLowerCase();
    expect(diagnoseMismatch({ ...base, sign: s }, key, s).join()).toMatch(/lower-case/);
  });
  it('a value that arrived URL-encoded', () => {
    const s = sign(base, key);
    const received = { ...base, notifyUrl: encodeURIComponent(base.notifyUrl), sign: s };
    expect(verify(received, key).status).toBe('mismatch');
    expect(diagnoseMismatch(received, key, s).join()).toMatch(/notifyUrl arrived URL-encoded/);
  });
  it('"+" for a space: a value that arrived form-encoded, and one signed form-encoded', () => {
    const s = sign(base, key);
    const received = { ...base, subject: 'a+b', sign: s };
    expect(verify(received, key).status).toBe('mismatch');
    expect(diagnoseMismatch(received, key, s).join()).toMatch(/subject arrived form-encoded \("\+" for a space\) but was signed with the space/);
    const signedPlus = sign({ ...base, subject: 'a+b' }, key);
    expect(diagnoseMismatch({ ...base, sign: signedPlus }, key, signedPlus).join()).toMatch(/subject was signed with "\+" for a space/);
    // A "+" that is part of the value (a phone number) is not blamed when turning it into a space does not explain the sign.
    const wrongKey = sign({ ...base, remarks: '+1 416' }, 'another-key');
    expect(diagnoseMismatch({ ...base, remarks: '+1 416', sign: wrongKey }, key, wrongKey).join()).not.toMatch(/form-encoded/);
  });
  it.each([
    ['compact', '{"productId": "p/1"}', '{"productId":"p/1"}', /extra was signed as compact JSON text, not as the text sent/],
    ['spaced', '{"productId":"p/1","n":[1,2]}', '{"productId": "p/1", "n": [1, 2]}', /extra was signed as spaced \(", " and ": ", as Python's json.dumps writes it\) JSON text/],
    ['Python default', '{"name":"café"}', '{"name": "caf\\u00e9"}', /spaced and ASCII-escaped \(as Python's json.dumps writes it by default\)/],
    ['PHP default', '{"url":"https://shop.example/é"}', '{"url":"https:\\/\\/shop.example\\/\\u00e9"}', /escaped \(\\\/ and \\uXXXX, as PHP's json_encode writes it by default\)/],
  ])('extra serialized differently for the sign (%s) than for the wire', (_, sent, signedText, cause) => {
    const signed = sign({ ...base, extra: signedText }, key);
    const received = { ...base, extra: sent, sign: signed };
    expect(verify(received, key).status).toBe('mismatch');
    const causes = diagnoseMismatch(received, key, signed);
    expect(causes.join('\n')).toMatch(cause);
    expect(causes.filter((c) => c.includes('JSON text'))).toHaveLength(1);
  });
  it.each([
    ['1.00', 100, /amount was signed as dollars \(amount=1\.00\): amounts are whole cents, signed as sent/],
    ['0.05', 5, /amount was signed as dollars \(amount=0\.05\)/],
    ['123.45', 12345, /amount was signed as dollars \(amount=123\.45\)/],
    ['100.00', 100, /amount was signed as cents with decimals \(amount=100\.00\)/],
    ['100.0', 100, /amount was signed as cents with a decimal \(amount=100\.0\)/],
  ])('an amount signed as %s while %s cents were sent', (signedAs, cents, cause) => {
    const signed = signCanonical(`amount=${signedAs}&mchId=10000701&`, key);
    const causes = diagnoseMismatch({ amount: cents, mchId: '10000701', sign: signed }, key, signed);
    expect(causes.join('\n')).toMatch(cause);
    expect(causes).toHaveLength(1);
  });
  it.each([
    ['http_build_query', (c: string) => c.replace('notifyUrl=https://shop.example/n', 'notifyUrl=https%3A%2F%2Fshop.example%2Fn').replace('subject=a b', 'subject=a+b'), /notifyUrl, subject were signed URL-encoded \(as PHP's http_build_query writes them, "\+" for a space\): the gateway signs the plain values/],
    ['rawurlencode', (c: string) => c.replace('notifyUrl=https://shop.example/n', 'notifyUrl=https%3A%2F%2Fshop.example%2Fn').replace('subject=a b', 'subject=a%20b'), /signed URL-encoded \(as rawurlencode writes them/],
  ])('plain values signed URL-encoded (%s)', (_, encode, cause) => {
    const signed = signCanonical(encode(canonicalString(base)), key);
    const causes = diagnoseMismatch({ ...base, sign: signed }, key, signed);
    expect(causes.join('\n')).toMatch(cause);
    expect(causes).toHaveLength(1);
  });
  it.each([
    // Every encoder writes a URL with no space or ~ ! ' ( ) * the same way: which one is not said.
    ['a URL encoded', (c: string) => c.replace('notifyUrl=https://shop.example/n', 'notifyUrl=https%3A%2F%2Fshop.example%2Fn'), /^notifyUrl was signed URL-encoded: the gateway signs the plain values$/],
    ['rawurlencode', (c: string) => c.replace('subject=a b', 'subject=a%20b'), /^subject was signed URL-encoded \(as rawurlencode writes them, "%20" for a space\): the gateway signs the plain values$/],
    ['a form library', (c: string) => c.replace('subject=a b', 'subject=a+b'), /^subject was signed with "\+" for a space \(the form-encoded text\): sign the value itself$/],
  ])('one of several values that the same rewrite changes was signed rewritten (%s): that one is named', (_, rewrite, cause) => {
    // body and subject have spaces and notifyUrl a ":" and "/": each rewrite changes two or three, but the signer
    // applied it to one.
    const sent = { ...base, body: 'tea cakes' };
    const signed = signCanonical(rewrite(canonicalString(sent)), key);
    const causes = diagnoseMismatch({ ...sent, sign: signed }, key, signed);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatch(cause);
  });
  it('one of two values with white space around it was signed trimmed: that one is named', () => {
    const sent = { ...base, subject: ' a b', body: 'tea ' };
    const signed = sign({ ...sent, subject: 'a b' }, key);
    expect(diagnoseMismatch({ ...sent, sign: signed }, key, signed)).toEqual([
      'subject was signed without the white space around its value: the gateway signs values as they are, white space included',
    ]);
  });
  it.each([
    ['trailing white space, trimmed by the signer', { subject: 'a b ' }, { subject: 'a b' }, /^subject was signed without the white space around its value: the gateway signs values as they are, white space included$/],
    ['white space around two values', { subject: ' a b', mchId: '10000701\n' }, { subject: 'a b', mchId: '10000701' }, /^mchId, subject were signed without the white space around their values/],
    ['a no-break space', { subject: 'a\u00A0b' }, { subject: 'a b' }, /^subject was signed with plain spaces, and without the invisible characters, that the text sent holds \(a no-break space U\+00A0, a zero-width space U\+200B, …\): sign the exact text sent$/],
    ['a zero-width space', { subject: 'a b\u200B' }, { subject: 'a b' }, /^subject was signed with plain spaces, and without the invisible characters/],
    ['a value signed HTML-escaped', { subject: 'Tea & "Cakes"' }, { subject: 'Tea &amp; &quot;Cakes&quot;' }, /^subject was signed HTML-escaped \(&amp; &lt; &quot;, as htmlspecialchars writes it\): sign the plain text sent$/],
    ['a value that arrived HTML-escaped', { subject: 'Tea &amp; Cakes' }, { subject: 'Tea & Cakes' }, /^subject arrived HTML-escaped \(&amp; &lt; &quot;\) but was signed as plain text: escape for a page only after signing and sending$/],
    ['a value sent decomposed, signed composed', { subject: 'Cafe\u0301' }, { subject: 'Caf\u00E9' }, /^subject was signed with accented letters composed \(Unicode NFC\) where the text sent has them decomposed/],
    ['a value sent composed, signed decomposed', { subject: 'Caf\u00E9' }, { subject: 'Cafe\u0301' }, /^subject was signed with accented letters decomposed \(Unicode NFD, as macOS writes file names\) where the text sent has them composed/],
  ])('%s', (_, sent, signedAs, cause) => {
    const signed = sign({ ...base, ...signedAs }, key);
    const received = { ...base, ...sent, sign: signed };
    expect(verify(received, key).status).toBe('mismatch');
    const causes = diagnoseMismatch(received, key, signed);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatch(cause);
  });
  it.each([
    ['GBK', '测试商品', (t: string) => Buffer.from([0xb2, 0xe2, 0xca, 0xd4, 0xc9, 0xcc, 0xc6, 0xb7]), /^the sign was made over the text's GBK bytes, as Java's getBytes\(\) writes them on a Chinese Windows: the gateway hashes UTF-8 \(getBytes\("UTF-8"\)\)$/],
    ['Latin-1', 'Café crème', (t: string) => Buffer.from(t, 'latin1'), /^the sign was made over the text's Latin-1 \(Windows-1252\) bytes, as Java's getBytes\(\) writes them on a Western Windows: the gateway hashes UTF-8/],
  ])('a sign made over %s bytes instead of UTF-8', (_, subject, bytesOf, cause) => {
    const fields = { ...base, subject };
    const text = `${canonicalString(fields)}key=${key}`;
    // The subject's bytes in that character set, the rest ASCII.
    const [before, after] = text.split(subject);
    const bytes = Buffer.concat([Buffer.from(before!), bytesOf(subject), Buffer.from(after!)]);
    const signed = createHash('md5').update(bytes).digest('hex').toUpperCase();
    expect(verify({ ...fields, sign: signed }, key).status).toBe('mismatch');
    expect(diagnoseMismatch({ ...fields, sign: signed }, key, signed)).toEqual([expect.stringMatching(cause)]);
  });
  it.each([
    ['without the last "&"', ''],
    ['with the last "&"', '&'],
  ])('the key sorted in among the fields (%s)', (_, end) => {
    // amount, key, mchId, notifyUrl, subject: the key lands second.
    const text = `amount=100&key=${key}&mchId=10000701&notifyUrl=https://shop.example/n&subject=a b${end}`;
    const signed = md5Hex(text);
    expect(diagnoseMismatch({ ...base, sign: signed }, key, signed)).toEqual([
      'the key was sorted in among the fields: the text to hash is the sorted fields, then key=<merchant key> at the end',
    ]);
  });
  it.each([
    ['without the last "&"', ''],
    ['with the last "&"', '&'],
  ])('the key put first (%s)', (_, end) => {
    const text = `key=${key}&amount=100&mchId=10000701&notifyUrl=https://shop.example/n&subject=a b${end}`;
    const signed = md5Hex(text);
    expect(diagnoseMismatch({ ...base, sign: signed }, key, signed)).toEqual(['the key was put first: the text to hash is the sorted fields, then key=<merchant key> at the end']);
  });
  it('fields signed in the order they came, unsorted', () => {
    // As a signer that joins its map as it built it: subject, mchId, amount, notifyUrl.
    const sent = { subject: 'a b', mchId: '10000701', amount: 100, notifyUrl: 'https://shop.example/n' };
    const signed = signCanonical('subject=a b&mchId=10000701&amount=100&notifyUrl=https://shop.example/n&', key);
    expect(diagnoseMismatch({ ...sent, sign: signed }, key, signed)).toEqual([
      'the sign was made over the fields in the order they came, unsorted: sort the entries by name, case-insensitively, before joining them',
    ]);
    // Fields that came sorted have no other order to blame.
    const wrongKey = sign(base, 'another-key');
    expect(diagnoseMismatch({ ...base, sign: wrongKey }, key, wrongKey).join()).not.toMatch(/unsorted/);
  });
  it('white space or a no-break space that is part of the value is not blamed when removing it does not explain the sign', () => {
    const wrongKey = sign({ ...base, subject: 'a\u00A0b ' }, 'another-key');
    expect(diagnoseMismatch({ ...base, subject: 'a\u00A0b ', sign: wrongKey }, key, wrongKey).join()).not.toMatch(/white space|invisible/);
  });
  it('a sign that is wrong and lower-case: the cause, then the case as a second thing to fix', () => {
    const s = sign(base, `${key}\n`).toLowerCase();
    expect(diagnoseMismatch({ ...base, sign: s }, key, s)).toEqual([
      'the sign was made with the key followed by a line break (read from a file or a secret with its newline): trim it',
      LOWER_CASE_TOO,
    ]);
  });
  it('a JSON field whose other forms do not explain the sign is not blamed', () => {
    const wrongKey = sign({ ...base, extra: '{"productId":"x"}' }, 'another-key');
    expect(diagnoseMismatch({ ...base, extra: '{"productId":"x"}', sign: wrongKey }, key, wrongKey).join()).not.toMatch(/JSON text/);
  });
  it('an empty field that someone signed', () => {
    const withEmpty = { ...base, param2: '' };
    const badSign = signCanonical(
      ['amount=100&', 'mchId=10000701&', 'notifyUrl=https://shop.example/n&', 'param2=&', 'subject=a b&'].join(''),
      key,
    );
    expect(diagnoseMismatch({ ...withEmpty, sign: badSign }, key, badSign).join()).toMatch(/the empty field param2 was signed as "name=&"/);
  });
  it.each(['null', 'undefined', 'None'])('a null field signed as the word %s', (word) => {
    const signed = signCanonical(`amount=100&mchId=10000701&notifyUrl=https://shop.example/n&param2=${word}&subject=a b&`, key);
    const causes = diagnoseMismatch({ ...base, param2: null, sign: signed }, key, signed);
    expect(causes).toEqual([`the null field param2 was signed as "name=${word}&": null fields must be left out`]);
  });
  it('a field whose value is 0, left out of the sign as PHP\'s empty() leaves it out', () => {
    const fields = { ...base, param2: '0' };
    const signed = sign(base, key);
    expect(diagnoseMismatch({ ...fields, sign: signed }, key, signed)).toEqual([
      'the field param2, which is 0, was left out of the sign, as PHP\'s empty() leaves them out: only empty and null fields are left out',
    ]);
  });
  it('a field added after signing', () => {
    const s = sign(base, key);
    expect(diagnoseMismatch({ ...base, remarks: 'late', sign: s }, key, s).join()).toMatch(/without "remarks"/);
  });
  it('two fields added after signing', () => {
    const signed = sign(base, key);
    expect(diagnoseMismatch({ ...base, jobNo: 'alice', extra: '{"productId":"1"}', sign: signed }, key, signed)).toEqual([
      'the sign matches without "jobNo" and "extra": those fields were added or changed after signing',
    ]);
  });
  it('fields signed in ASCII order', () => {
    const fields = { B: '1', a: '2' };
    const s = signCanonical('B=1&a=2&', key);
    expect(diagnoseMismatch({ ...fields, sign: s }, key, s).join()).toMatch(/ASCII order/);
    // They came in that order too: one cause, the sorting that gives it, not "unsorted" as well.
    expect(diagnoseMismatch({ ...fields, sign: s }, key, s)).toHaveLength(1);
  });
  it.each([
    ['a cut-off sign', (s: string) => s.slice(0, 31), /the received sign is 31 hex characters: an MD5 sign is 32 hex characters/],
    ['something else in the sign field', () => 'XYZ', /the received sign is 3 characters, not all hex/],
    ['a short hex sign', () => 'ABC', /the received sign is 3 hex characters/],
    ['one character', () => 'X', /the received sign is 1 character, not hex:/],
    ['one hex character', () => 'A', /the received sign is 1 hex character:/],
    ['an empty-looking sign', () => '  ', /the received sign is 0 hex characters/],
    ['a sign with a line break after it', (s: string) => `${s}\n`, /spaces or a line break around it/],
    ['a lower-case sign with spaces around it', (s: string) => ` ${s.toLowerCase()} `, /lower-case with spaces or a line break around it: send the 32 upper-case/],
  ])('%s', (_, received, cause) => {
    const s = received(sign(base, key));
    const causes = diagnoseMismatch({ ...base, sign: s }, key, s);
    expect(causes.join('\n')).toMatch(cause);
    expect(causes.length).toBeLessThanOrEqual(1);
  });
  it.each([
    ['SHA-256 of the text', (text: string) => createHash('sha256').update(text).digest('hex'), /made with SHA-256 of the text: the gateway signs with plain MD5/],
    ['SHA-1 of the text, upper-case', (text: string) => createHash('sha1').update(text).digest('hex').toUpperCase(), /made with SHA-1 of the text/],
    ['HMAC-MD5 over the text', (text: string) => createHmac('md5', key).update(text).digest('hex').toUpperCase(), /made with HMAC-MD5 keyed with the merchant key/],
    ['HMAC-SHA256 over the fields alone', (text: string) => createHmac('sha256', key).update(text.slice(0, text.indexOf('&key='))).digest('hex'), /made with HMAC-SHA256 keyed/],
    ['another 64-hex value', () => 'ab'.repeat(32), /64 hex characters, the length of a SHA-256 digest: the gateway signs with MD5/],
  ])('a sign made with another algorithm: %s', (_, make, cause) => {
    const s = make(`${canonicalString(base)}key=${key}`);
    const causes = diagnoseMismatch({ ...base, sign: s }, key, s);
    expect(causes.join('\n')).toMatch(cause);
    expect(causes).toHaveLength(1);
  });
  it.each([
    ['a line break', `${key}\n`, /made with the key followed by a line break \(read from a file or a secret with its newline\): trim it/],
    ['CR LF', `${key}\r\n`, /the key followed by a Windows line break/],
    ['a space', `${key} `, /the key followed by a space/],
    ['double quotes', `"${key}"`, /the key in double quotes \(as a .env file writes it\)/],
    ['the sandbox key', 'iotpay-sandbox-key-not-a-secret', /made with the sandbox key \(iotpay-sandbox-key-not-a-secret\), not the merchant key/],
  ])('a sign made with the key as it often arrives: %s', (_, signedWith, cause) => {
    const s = sign(base, signedWith);
    const causes = diagnoseMismatch({ ...base, sign: s }, key, s);
    expect(causes.join('\n')).toMatch(cause);
    expect(causes).toHaveLength(1);
  });
  it.each([
    ['no key at all', (c: string) => c.slice(0, -1), /made without the key/],
    ['the key without "key="', (c: string) => `${c}${key}`, /appended without "key="/],
    ['no "&" before key=', (c: string) => `${c.slice(0, -1)}key=${key}`, /the "&" before key= is missing/],
    ['the text lower-cased', (c: string) => `${c}key=${key}`.toLowerCase(), /lower-cased before hashing/],
  ])('the key joined wrongly: %s', (_, text, cause) => {
    const canonical = 'amount=100&mchId=10000701&notifyUrl=https://shop.example/n&subject=a b&';
    const s = md5Hex(text(canonical));
    const causes = diagnoseMismatch({ ...base, sign: s }, key, s);
    expect(causes.join('\n')).toMatch(cause);
    expect(causes).toHaveLength(1);
  });
  it('the right digest written in base64', () => {
    const b64 = Buffer.from(sign(base, key), 'hex').toString('base64');
    expect(b64).toHaveLength(24);
    expect(diagnoseMismatch({ ...base, sign: b64 }, key, b64)).toEqual([
      'the sign is the right MD5 digest written in base64: the gateway expects it as 32 upper-case hex characters',
    ]);
  });
  it('a base64 digest of another text is said to have that form', () => {
    const b64 = Buffer.from(sign(base, 'another-key'), 'hex').toString('base64');
    expect(diagnoseMismatch({ ...base, sign: b64 }, key, b64)).toContain(
      'the received sign has the form of an MD5 digest written in base64 (24 characters ending in ==): the gateway expects 32 upper-case hex characters',
    );
  });
  it('no cause is looked for in a message of thousands of fields (the search is quadratic in them)', () => {
    const many: Record<string, string> = { ...(base as unknown as Record<string, string>) };
    for (let i = 0; i < 30_000; i++) many[`f${i}`] = `value${i}`;
    const wrong = sign(many as never, 'another-key');
    // Quadratic, this takes minutes; the test's 5 s timeout would end it.
    expect(diagnoseMismatch({ ...many, sign: wrong }, key, wrong)).toEqual([
      'no cause was looked for: the message has 30004 fields (the gateway\'s have about 20; the search stops at 200)',
    ]);
    const lower = sign(many as never, key).toLowerCase();
    // The sign's form is still checked: a right sign in lower case is said to be just that.
    expect(diagnoseMismatch({ ...many, sign: lower }, key, lower)).toEqual(['the sign is lower-case: the gateway expects upper-case hex (the value is otherwise right)']);
  });
  it('a well-formed sign of the wrong value says nothing about its form', () => {
    const s = sign(base, key).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(diagnoseMismatch({ ...base, sign: s }, key, s).join()).not.toMatch(/received sign is|spaces/);
  });
  it('nothing specific for a wrong key', () => {
    const s = sign(base, 'other');
    expect(diagnoseMismatch({ ...base, sign: s }, key, s)).toEqual([]);
  });
});

describe('verify statuses', () => {
  it('unverifiable for a nested retParams, whatever the sign', () => {
    const v = verify({ retCode: 'SUCCESS', retParams: { url: 'x' }, sign: 'ABC' }, key);
    expect(v.status).toBe('unverifiable');
    expect(v.reason).toMatch(/retParams/);
  });
  it('with nested values, says whether the sign matches the flat fields left: a hint, still unverifiable', () => {
    const flat = { retCode: 'SUCCESS', payUrl: 'https://p', amount: 100 };
    const nested = { retParams: { url: 'x' }, list: [1] };
    const signedFlat = verify({ ...flat, ...nested, sign: sign(flat, key) }, key);
    expect(signedFlat).toMatchObject({ status: 'unverifiable', withoutNested: { matches: true, nestedFields: ['retParams', 'list'] } });
    expect(verify({ ...flat, ...nested, sign: sign({ ...flat, amount: 101 }, key) }, key).withoutNested).toEqual({ matches: false, nestedFields: ['retParams', 'list'] });
    expect(verify({ ...flat, ...nested, sign: sign(flat, 'other') }, key).withoutNested?.matches).toBe(false);
    // No sign to compare, or unsignable for another reason (a number with no text): no hint.
    expect(verify({ ...flat, ...nested }, key).withoutNested).toBeUndefined();
    expect(verify({ ...flat, n: Number.NaN, sign: 'ABC' }, key).withoutNested).toBeUndefined();
  });
  it('absent when there is no sign', () => {
    expect(verify(base, key).status).toBe('absent');
  });
});
