import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addKeysmithSecurity, KEYSMITH_SECURITY_SCHEME } from '../../lib/index.js';
import { databaseVariants } from '../support/test-app.js';
import { startAdminApp, type AdminApp } from './fixtures/admin-app.js';

const OPERATIONS = [
  ['get', '/keysmith/api/tokens'],
  ['post', '/keysmith/api/tokens'],
  ['get', '/keysmith/api/tokens/{id}'],
  ['patch', '/keysmith/api/tokens/{id}'],
  ['post', '/keysmith/api/tokens/{id}/rotate'],
  ['post', '/keysmith/api/tokens/{id}/disable'],
  ['post', '/keysmith/api/tokens/{id}/enable'],
  ['post', '/keysmith/api/tokens/{id}/revoke'],
  ['post', '/keysmith/api/tokens/{id}/purge'],
  ['post', '/keysmith/api/tokens/bulk/revoke'],
  ['post', '/keysmith/api/tokens/bulk/purge'],
  ['post', '/keysmith/api/tokens/bulk/rotate'],
  ['post', '/keysmith/api/tokens/revoke-all'],
  ['get', '/keysmith/api/audit-logs'],
  ['get', '/keysmith/api/tokens/{id}/usage'],
] as const;

describe('OpenAPI document of the admin API', () => {
  let app: AdminApp;
  let document: OpenAPIObject;
  beforeAll(async () => {
    app = await startAdminApp('admin-openapi', databaseVariants()[0]);
    document = SwaggerModule.createDocument(app.app, addKeysmithSecurity(new DocumentBuilder().setTitle('test')).build());
  });
  afterAll(() => app?.close());

  it('adds the X-KEYSMITH-TOKEN API key scheme, or the header the application names', () => {
    expect(document.components?.securitySchemes?.[KEYSMITH_SECURITY_SCHEME]).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-KEYSMITH-TOKEN',
    });
    const custom = addKeysmithSecurity(new DocumentBuilder(), 'X-API-KEY').build();
    expect(custom.components?.securitySchemes?.[KEYSMITH_SECURITY_SCHEME]).toMatchObject({ name: 'X-API-KEY' });
  });

  it('documents every endpoint with a summary, the security scheme and its 401, 403 and 400 answers', () => {
    for (const [method, path] of OPERATIONS) {
      const operation = document.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation!.summary, `${method} ${path}`).toBeTruthy();
      expect(operation!.security).toEqual([{ [KEYSMITH_SECURITY_SCHEME]: [] }]);
      expect(Object.keys(operation!.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['400', '401', '403']));
    }
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/keysmith'))).toHaveLength(13);
  });

  it('documents the DTOs: the request bodies, the query filters and the answers', () => {
    const schemas = document.components!.schemas!;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([
        'CreateTokenDto',
        'BulkTokensDto',
        'TokenViewDto',
        'TokenPageDto',
        'IssuedTokenDto',
        'BulkResultDto',
        'RevokeMatchingDto',
        'RevokedCountDto',
        'AuditLogPageDto',
        'TokenUsageDto',
        'UsageBucketDto',
        'ValidationErrorDto',
      ]),
    );
    expect(schemas.CreateTokenDto).toMatchObject({ required: ['name'], properties: { name: { maxLength: 128 } } });
    expect(schemas.TokenViewDto).not.toHaveProperty('properties.key');
    const listParams = document.paths['/keysmith/api/tokens'].get!.parameters!.map((p) => ('name' in p ? p.name : ''));
    expect(listParams.sort()).toEqual([
      'createdBefore',
      'limit',
      'offset',
      'order',
      'scope',
      'search',
      'sort',
      'state',
      'tokenType',
      'unusedSince',
      'userId',
    ]);
    const auditParams = document.paths['/keysmith/api/audit-logs'].get!.parameters!.map((p) => ('name' in p ? p.name : ''));
    expect(auditParams.sort()).toEqual(['action', 'from', 'limit', 'offset', 'status', 'to', 'tokenId']);
  });

  it('leaves the page out of the document', () => {
    expect(document.paths['/keysmith']).toBeUndefined();
    expect(document.paths['/keysmith/assets/admin.js']).toBeUndefined();
  });
});
