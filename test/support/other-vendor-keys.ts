/**
 * Secrets in the formats of other vendors, and text that looks like code and configuration: none
 * of it is a nestjs-keysmith token, so a scanner's expression for those must match nothing here.
 * Values are the vendors' published examples or made up; each is put together from parts, so that
 * no secret scanner takes this file for a leak.
 */
const join = (...parts: string[]) => parts.join('');

export const OTHER_VENDOR_KEYS: ReadonlyArray<{ vendor: string; value: string }> = [
  { vendor: 'AWS access key id', value: join('AKIA', 'IOSFODNN7EXAMPLE') },
  { vendor: 'AWS secret access key', value: join('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYEXAMPLEKEY') },
  { vendor: 'AWS session token', value: join('ASIA', 'Y34FZKBOKMUTVV7A') },
  { vendor: 'GitHub personal access token', value: join('gh', 'p_', 'R2x5rLm7QpV9kT3sWn8bYc4HdJf6Ga1Zo0Ue') },
  { vendor: 'GitHub OAuth token', value: join('gh', 'o_', '16C7e42F292c6912E7710c838347Ae178B4a') },
  {
    vendor: 'GitHub fine-grained token',
    value: join('github', '_pat_', '11ABCDEFG0aBcDeFgHiJkL_', 'mNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567'),
  },
  { vendor: 'GitLab token', value: join('gl', 'pat-', 'xKZ3w9n8Yh2vT6qL4mRb') },
  { vendor: 'Stripe secret key', value: join('sk', '_test_', '4eC39HqLyjWDarjtT1zdp7dc') },
  { vendor: 'Stripe live restricted key', value: join('rk', '_live_', '51HbUvEKxLmNpQrStUvWxYz0123456789abcdef') },
  { vendor: 'Stripe publishable key', value: join('pk', '_live_', 'TYooMQauvdEDq54NiTphI7jx') },
  { vendor: 'Slack bot token', value: join('xo', 'xb-', '123456789012-1234567890123-', 'AbCdEfGhIjKlMnOpQrStUvWx') },
  { vendor: 'Slack webhook', value: join('https://hooks.slack', '.com/services/', 'T00000000/B00000000/', 'XXXXXXXXXXXXXXXXXXXXXXXX') },
  {
    vendor: 'JWT',
    value: join(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.',
      'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.',
      'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    ),
  },
  { vendor: 'Google API key', value: join('AI', 'za', 'SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY') },
  { vendor: 'Twilio API key', value: join('S', 'K', '2a0747fc6c1f2b1e4f0e7d6a5b4c3d2e1') },
  { vendor: 'SendGrid API key', value: join('S', 'G.', 'ngeVfQFYQlKU0ufo8x5d1A.', 'TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr') },
  { vendor: 'npm token', value: join('np', 'm_', 'abcdefghijklmnopqrstuvwxyzABCDEF0123') },
  { vendor: 'PyPI token', value: join('py', 'pi-', 'AgEIcHlwaS5vcmcCJDU1OGY3NjNhLWNhYmItNDdjZS1iMjE0LWE3ZTQ2MjIxZDAzMQ') },
  { vendor: 'OpenAI key', value: join('sk', '-proj-', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9oPq2rSt5uVw8xYz1') },
  {
    vendor: 'Anthropic key',
    value: join('sk', '-ant-api03-', 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEfGhIjKlMnOpQrStUvWxYz01234567-AbCdEfGhAA'),
  },
  { vendor: 'Shopify access token', value: join('shp', 'at_', 'fedcba9876543210fedcba9876543210') },
  { vendor: 'DigitalOcean token', value: join('do', 'p_v1_', 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2') },
  { vendor: 'Mailgun key', value: join('key', '-', '3ax6xnjp29jd6fds4gc373sgvjxteol0') },
  { vendor: 'Heroku API key', value: '01234567-89ab-cdef-0123-456789abcdef' },
  {
    vendor: 'Azure storage connection string',
    value: join(
      'DefaultEndpointsProtocol=https;AccountName=example;AccountKey=',
      'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
    ),
  },
  { vendor: 'credential URL', value: join('postgres://', 'app:', 'S3cr3tPassw0rd', '@db.internal:5432/app') },
  { vendor: 'private key header', value: join('-----BEGIN ', 'EC PRIVATE KEY-----') },
  // Things that share part of the shape: an underscore name, a colon, digits.
  { vendor: 'Python identifier and a port', value: 'tok_abcdefgh = connect("localhost:5432")' },
  { vendor: 'TypeScript annotation', value: 'const tok_identifier: TokenType123456 = parse(input);' },
  { vendor: 'log line', value: '2026-11-30T12:00:00Z tok_ab12CD34 auth_success 200 GET /api/health' },
  { vendor: 'uuid with a colon', value: 'session_8f14e45f:ceea167a5a36dedd4bea2543000000' },
  { vendor: 'base64 blob', value: 'dG9rX2FiMTJDRDM0OlhZN2tRMmFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6MDEyMzQ1' },
];
