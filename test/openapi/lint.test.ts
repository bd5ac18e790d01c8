import t from 'tap';
import { documentFile, redoclyLint, servedDocument } from '../helpers/openapi-document.js';

// The served OpenAPI document passes Redocly's `recommended` rules
// (redocly.yaml at the repository root) with no error and no warning.

t.test('Redocly finds no error and no warning in the served OpenAPI document', async (t) => {
  const { document } = await servedDocument(t);
  const report = await redoclyLint(await documentFile(t, document));
  const lines = report.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(', ')}`);
  for (const line of lines) t.comment(line);
  t.same(lines, [], 'no problem');
  t.same(report.totals, { ...report.totals, errors: 0, warnings: 0 }, '0 errors and 0 warnings');
});

t.test('the lint would fail: a path of the unified API ending in a slash is an error', async (t) => {
  const { document } = await servedDocument(t);
  const slashed = { ...document, paths: { ...document.paths, '/api/v1/organizations/': document.paths['/api/v1/organizations']! } };
  const report = await redoclyLint(await documentFile(t, slashed));
  t.ok(report.problems.some((p) => p.ruleId === 'rule/no-path-trailing-slash-outside-compat'), 'the trailing slash is reported');
  t.ok(report.totals.errors > 0, 'as an error');
});
