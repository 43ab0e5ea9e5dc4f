/**
 * API Gateway request validation generated from the OpenAPI document of the C++ build: the
 * notes example (examples/notes, built by `make build` into build/<preset>/examples/notes)
 * declares a typed JSON body on POST /v1/notes, and the synthesized API must carry a model of
 * that body on exactly that method. Its directory is $CPPSTACK_NOTES_DIR or
 * <repo>/build/release/examples/notes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import SwaggerParser from '@apidevtools/swagger-parser';

import { REPOSITORY_ROOT } from '../lib/config';
import { draft4Schema, methodValidation, OPENAPI_FILE, VALIDATION_ERROR_TEMPLATE } from '../lib/request-validation';
import { FUNCTION_ZIP_FILE, Route, ROUTES_FILE } from '../lib/route-table';
import { resourcesOfType } from './support/api-template';
import { synthesize } from './support/synth';

const notesBuild = process.env.CPPSTACK_NOTES_DIR ?? path.join(REPOSITORY_ROOT, 'build', 'release', 'examples', 'notes');

/** The notes example's build output laid out as a dist directory (routes.json, openapi.json, function.zip). */
function notesDist(): string {
  const sources = [path.join(notesBuild, 'api', ROUTES_FILE), path.join(notesBuild, 'api', OPENAPI_FILE), path.join(notesBuild, FUNCTION_ZIP_FILE)];
  for (const file of sources) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing; build the notes example (make build) or set CPPSTACK_NOTES_DIR`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-notes-dist-'));
  for (const file of sources) fs.copyFileSync(file, path.join(dir, path.basename(file)));
  return dir;
}

function route(method: Route['method'], routePath: string): Route {
  return { method, path: routePath, handler: 'h', summary: '', auth: 'none', cacheTtlSeconds: 0, throttle: null };
}

describe('request validation from openapi.json', () => {
  it('turns a JSON request body schema into a draft-4 model and lists required query parameters', () => {
    const document = {
      paths: {
        '/v1/things': {
          post: {
            parameters: [
              { name: 'dryRun', in: 'query', required: true },
              { name: 'limit', in: 'query', required: false },
              { name: 'id', in: 'path', required: true },
            ],
            requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } } },
          },
        },
      },
    };
    assert.deepEqual(methodValidation(document, route('POST', '/v1/things')), {
      bodySchema: { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      requiredQueryParameters: ['dryRun'],
    });
    assert.deepEqual(methodValidation(document, route('GET', '/v1/things')), { bodySchema: undefined, requiredQueryParameters: [] });
  });

  it('writes component references out and turns nullable into a null type, for a draft-4 model', () => {
    const document = {
      components: {
        schemas: {
          Tag: { type: 'object', properties: { name: { type: 'string', maxLength: 30 } }, required: ['name'] },
          Page: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Tag' } } } },
        },
      },
      paths: {
        '/v1/things': {
          post: {
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { page: { $ref: '#/components/schemas/Page' }, note: { type: 'string', nullable: true }, $ref: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      },
    };
    assert.deepEqual(methodValidation(document, route('POST', '/v1/things')).bodySchema, {
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      properties: {
        page: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string', maxLength: 30 } }, required: ['name'] } } } },
        note: { type: ['string', 'null'] },
        // A property that happens to be called $ref is a property, not a reference.
        $ref: { type: 'string' },
      },
    });
    assert.throws(() => draft4Schema({ $ref: '#/components/schemas/Missing' }, document), /does not define/);
    const recursive = { components: { schemas: { Node: { type: 'object', properties: { child: { $ref: '#/components/schemas/Node' } } } } } };
    assert.throws(() => draft4Schema({ $ref: '#/components/schemas/Node' }, recursive), /contains itself/);
  });

  describe('the notes example synthesized', () => {
    const distDir = notesDist();
    const app = synthesize({ distDir, overrides: { SMOKE_TEST_PATH: '/v1/notes' } });
    after(() => {
      app.dispose();
      fs.rmSync(distDir, { recursive: true, force: true });
    });
    const template = app.templateJson('aws-cpp-stack-Dev-Api');

    it("the notes example's openapi.json is a valid OpenAPI 3.0 document with its body, query and statuses", async () => {
      const file = path.join(distDir, OPENAPI_FILE);
      await SwaggerParser.validate(file);
      const document = JSON.parse(fs.readFileSync(file, 'utf8'));
      const list = document.paths['/v1/notes'].get;
      assert.deepEqual(list.parameters.map((p: { name: string; in: string }) => `${p.in} ${p.name}`), ['query limit', 'query cursor']);
      assert.equal(list.parameters[0].schema.default, 100);
      assert.deepEqual(Object.keys(document.paths['/v1/notes'].post.responses).sort(), ['201', '400', '500']);
      assert.ok(document.paths['/v1/notes'].post.responses['201'].headers.Location);
      assert.deepEqual(Object.keys(document.paths['/v1/notes/{id}'].delete.responses).sort(), ['204', '400', '404', '500']);
    });

    it('has one body model, with the fields of NewNote, on POST /v1/notes only', () => {
      const models = resourcesOfType(template, 'AWS::ApiGateway::Model');
      assert.equal(models.length, 1);
      const [modelId, model] = models[0];
      assert.equal(model.ContentType, 'application/json');
      assert.deepEqual(model.Schema.required, ['title', 'text']);
      assert.deepEqual(model.Schema.properties, { title: { type: 'string' }, text: { type: 'string' } });
      assert.equal(model.Schema.$schema, 'http://json-schema.org/draft-04/schema#');

      const withModels = resourcesOfType(template, 'AWS::ApiGateway::Method').filter(([, method]) => method.RequestModels);
      assert.equal(withModels.length, 1);
      const [, post] = withModels[0];
      assert.equal(post.HttpMethod, 'POST');
      assert.deepEqual(post.RequestModels, { 'application/json': { Ref: modelId } });
      assert.ok(post.RequestValidatorId, 'the body is validated by the API request validator');
    });

    it("answers the gateway's own 400s in the function's error shape", () => {
      const responses = resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse').filter(([, response]) =>
        ['BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS'].includes(response.ResponseType),
      );
      assert.equal(responses.length, 2);
      for (const [, response] of responses) {
        assert.equal(response.StatusCode, '400');
        assert.deepEqual(response.ResponseTemplates, { 'application/json': VALIDATION_ERROR_TEMPLATE });
      }
      // Substituted as API Gateway does (messageString arrives quoted), it is the Error schema of openapi.json.
      const body = JSON.parse(
        VALIDATION_ERROR_TEMPLATE.replace('$context.error.messageString', '"Invalid request body"').replace('$context.requestId', 'c0ffee'),
      );
      const document = JSON.parse(fs.readFileSync(path.join(distDir, OPENAPI_FILE), 'utf8'));
      const errorSchema = document.components.schemas.Error;
      for (const key of errorSchema.required) assert.ok(key in body, key);
      for (const key of Object.keys(body)) assert.ok(key in errorSchema.properties, key);
    });

    it('keeps path parameters required on the item methods', () => {
      const itemMethods = resourcesOfType(template, 'AWS::ApiGateway::Method').filter(
        ([, method]) => method.RequestParameters?.['method.request.path.id'] !== undefined,
      );
      // GET and DELETE /v1/notes/{id}, POST /v1/notes/{id}/attachment.
      assert.deepEqual(itemMethods.map(([, method]) => method.HttpMethod).sort(), ['DELETE', 'GET', 'POST']);
      for (const [, method] of itemMethods) assert.equal(method.RequestParameters['method.request.path.id'], true);
    });
  });
});
