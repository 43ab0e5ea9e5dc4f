/**
 * The bookmarks example's generated OpenAPI document (examples/bookmarks, built by `make build`
 * into build/<preset>/examples/bookmarks; $CPPSTACK_BOOKMARKS_DIR overrides): a real OpenAPI
 * validator accepts it, each C++ type is one named component, and the API Gateway model made
 * from it (JSON Schema draft 4) refuses what the C++ rules refuse, checked with a draft-4
 * validator standing where API Gateway's stands.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv from 'ajv-draft-04';

import { REPOSITORY_ROOT } from '../lib/config';
import { methodValidation, OPENAPI_FILE } from '../lib/request-validation';
import { Route } from '../lib/route-table';

const bookmarksBuild = process.env.CPPSTACK_BOOKMARKS_DIR ?? path.join(REPOSITORY_ROOT, 'build', 'release', 'examples', 'bookmarks');
const openApiFile = path.join(bookmarksBuild, 'api', OPENAPI_FILE);

type Json = any;

function readDocument(): Json {
  if (!fs.existsSync(openApiFile)) throw new Error(`${openApiFile} is missing; build the bookmarks example (make build) or set CPPSTACK_BOOKMARKS_DIR`);
  return JSON.parse(fs.readFileSync(openApiFile, 'utf8'));
}

function route(method: Route['method'], routePath: string): Route {
  return { method, path: routePath, handler: 'h', summary: '', auth: 'none', cacheTtlSeconds: 0, throttle: null };
}

describe("the bookmarks example's OpenAPI document", () => {
  const document = readDocument();

  it('is valid OpenAPI 3.0 by a real validator, its references included', async () => {
    await SwaggerParser.validate(structuredClone(document));
  });

  it('names each type once and refers to it everywhere else', () => {
    assert.deepEqual(Object.keys(document.components.schemas).sort(), ['Bookmark', 'Error', 'NewBookmark', 'PageOf_Bookmark']);
    const text = JSON.stringify(document.paths);
    assert.ok(!text.includes('"properties"'), 'no struct schema is written inline in the paths');
    const post = document.paths['/v1/bookmarks'].post;
    assert.deepEqual(post.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/NewBookmark' });
    assert.deepEqual(post.responses['201'].content['application/json'].schema, { $ref: '#/components/schemas/Bookmark' });
  });

  it('types parameters as the handlers read them, with their rules', () => {
    const list = document.paths['/v1/bookmarks'].get.parameters;
    assert.deepEqual(
      list.map((parameter: Json) => [parameter.name, parameter.schema]),
      [
        ['limit', { type: 'integer', format: 'int32', minimum: 1, maximum: 100, default: 20 }],
        ['cursor', { type: 'string', maxLength: 1024, nullable: true }],
        ['tag', { type: 'string', nullable: true }],
      ],
    );
    assert.deepEqual(document.paths['/v1/bookmarks/{id}'].get.parameters[0].schema, { type: 'integer', format: 'int64', minimum: 1 });
  });

  it('gives API Gateway a draft-4 model that refuses what the function refuses', () => {
    const model = methodValidation(document, route('POST', '/v1/bookmarks')).bodySchema;
    assert.ok(model);
    const ajv = new Ajv({ strict: false, logger: false });
    const validate = ajv.compile(model);
    const accepted = [{ url: 'https://example.com', tags: ['news', 'c-plus-plus'] }, { url: 'http://a.example', title: 'A', tags: [] }];
    for (const body of accepted) assert.ok(validate(body), `${JSON.stringify(body)}: ${ajv.errorsText(validate.errors)}`);
    const refused = [
      { tags: [] },
      { url: 'ftp://example.com', tags: [] },
      { url: `https://example.com/${'a'.repeat(2048)}`, tags: [] },
      { url: 'https://a', tags: ['a', 'b', 'c', 'd', 'e', 'f'] },
      { url: 'https://a', tags: ['a', 'a'] },
      { url: 'https://a', tags: ['Not OK'] },
      { url: 'https://a', title: '', tags: [] },
      { url: 'https://a', title: 7, tags: [] },
    ];
    for (const body of refused) assert.ok(!validate(body), `${JSON.stringify(body)} was accepted`);
    // The function reads an optional member's null as absent; the model agrees.
    assert.ok(validate({ url: 'https://a', title: null, tags: [] }), ajv.errorsText(validate.errors));
  });
});
