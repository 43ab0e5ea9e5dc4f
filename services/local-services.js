#!/usr/bin/env node
// The local DynamoDB (dynalite) and S3 (s3rver) of `make run`, on 127.0.0.1, with the tables
// and buckets the function's routes.json declares (docs/aws-services.md, "Local servers").
//
//   node services/local-services.js --routes build/release/run/routes.json --data .local \
//        [--dynamodb-port 4567] [--s3-port 4568] [--cors-origins https://app.example.com]
//   node services/local-services.js --reset --data .local
//
// Data lives in --data (dynamodb/ for dynalite's LevelDB, s3/ for s3rver's files), so it
// survives reloads and restarts; --reset deletes it. Tables and buckets are created when
// missing and kept when present (a table whose keys changed is an error that names the reset).
// Once both servers answer and every resource exists, the function's environment is written to
// <data>/services.env (KEY=VALUE lines) and "local-services: ready" to stdout; SIGTERM or SIGINT
// closes the servers, flushing the data. A port in use or a server that fails is one line on
// stderr and exit status 1. Port 0 takes a free port (the tests do).
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const HOST = '127.0.0.1';
// s3rver's default credentials; dynalite checks only that a request is signed.
const ACCESS_KEY_ID = 'S3RVER';
const SECRET_ACCESS_KEY = 'S3RVER';
// Locally a resource's physical name is its logical name with this prefix, so a function that
// uses the logical name instead of TABLE_<NAME> / BUCKET_<NAME> fails here as it would on AWS.
const PHYSICAL_PREFIX = 'local-';
const RESOURCE_NAME = /^[a-z][a-z0-9-]{1,46}[a-z0-9]$/;
const KEY_TYPES = new Set(['S', 'N', 'B']);

class ServiceError extends Error {}

function parseArguments(argv) {
  const options = { dynamodbPort: 4567, s3Port: 4568, corsOrigins: '', reset: false };
  for (let index = 0; index < argv.length; ++index) {
    const flag = argv[index];
    const value = () => {
      if (index + 1 >= argv.length) throw new ServiceError(`${flag} needs a value`);
      return argv[++index];
    };
    if (flag === '--routes') options.routes = value();
    else if (flag === '--data') options.data = value();
    else if (flag === '--dynamodb-port') options.dynamodbPort = port(value(), flag);
    else if (flag === '--s3-port') options.s3Port = port(value(), flag);
    else if (flag === '--cors-origins') options.corsOrigins = value();
    else if (flag === '--reset') options.reset = true;
    else throw new ServiceError(`unknown option ${flag}`);
  }
  if (!options.data) throw new ServiceError('--data DIR is required');
  if (!options.reset && !options.routes) throw new ServiceError('--routes FILE is required');
  return options;
}

function port(text, flag) {
  const number = Number(text);
  if (!/^[0-9]+$/.test(text) || number > 65535) throw new ServiceError(`${flag} must be a port number from 0 to 65535, got '${text}'`);
  return number;
}

/** The declared tables and buckets of routes.json; the C++ export already checked them. */
function readDeclarations(file) {
  let document;
  try {
    document = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ServiceError(`cannot read the route table ${file}: ${error.message}`);
  }
  const tables = document.tables ?? [];
  const buckets = document.buckets ?? [];
  if (!Array.isArray(tables) || !Array.isArray(buckets)) throw new ServiceError(`${file}: tables and buckets must be arrays`);
  for (const resource of [...tables, ...buckets]) {
    if (typeof resource?.name !== 'string' || !RESOURCE_NAME.test(resource.name)) {
      throw new ServiceError(`${file}: ${JSON.stringify(resource?.name)} is not a resource name`);
    }
  }
  for (const table of tables) {
    for (const key of keysOf(table)) {
      if (typeof key.name !== 'string' || !KEY_TYPES.has(key.type)) throw new ServiceError(`${file}: table ${table.name} has a malformed key`);
    }
  }
  return { tables, buckets };
}

function keysOf(table) {
  return [
    table.partitionKey,
    table.sortKey,
    ...(table.globalIndexes ?? []).flatMap((index) => [index.partitionKey, index.sortKey]),
    ...(table.localIndexes ?? []).map((index) => index.sortKey),
  ].filter((key) => key !== null && key !== undefined);
}

function variableSuffix(logicalName) {
  return logicalName.toUpperCase().replace(/-/g, '_');
}

/** A listening server, or a ServiceError naming the service and the port. */
function listen(server, portNumber, service, variable) {
  return new Promise((resolve, reject) => {
    const failed = (error) => {
      reject(
        new ServiceError(
          error.code === 'EADDRINUSE'
            ? `port ${portNumber} of the local ${service} is in use on ${HOST}: stop what uses it, or choose another port with ${variable}=...`
            : `the local ${service} cannot listen on ${HOST}:${portNumber}: ${error.message}`,
        ),
      );
    };
    server.once('error', failed);
    server.listen(portNumber, HOST, () => {
      server.off('error', failed);
      resolve(server.address().port);
    });
  });
}

/** One DynamoDB JSON-protocol call to dynalite. */
function dynamodb(portNumber, operation, body) {
  const payload = JSON.stringify(body);
  const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const headers = {
    'Content-Type': 'application/x-amz-json-1.0',
    'X-Amz-Target': `DynamoDB_20120810.${operation}`,
    'X-Amz-Date': date,
    // dynalite checks that a request carries a complete SigV4 header, not the signature itself.
    Authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/${date.slice(0, 8)}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0`,
    'Content-Length': Buffer.byteLength(payload),
  };
  return new Promise((resolve, reject) => {
    const request = http.request({ host: HOST, port: portNumber, method: 'POST', path: '/', headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => {
        let answer = {};
        try {
          answer = text ? JSON.parse(text) : {};
        } catch {
          answer = { message: text };
        }
        if (response.statusCode === 200) resolve(answer);
        else resolve({ error: String(answer.__type ?? '').split('#').pop() || `HTTP ${response.statusCode}`, message: answer.message ?? answer.Message ?? '' });
      });
    });
    request.on('error', (error) => reject(new ServiceError(`the local DynamoDB (dynalite) did not answer ${operation}: ${error.message}`)));
    request.end(payload);
  });
}

function keySchema(partitionKey, sortKey) {
  const schema = [{ AttributeName: partitionKey.name, KeyType: 'HASH' }];
  if (sortKey) schema.push({ AttributeName: sortKey.name, KeyType: 'RANGE' });
  return schema;
}

function createTableRequest(table) {
  const definitions = new Map(keysOf(table).map((key) => [key.name, key.type]));
  const request = {
    TableName: PHYSICAL_PREFIX + table.name,
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    AttributeDefinitions: [...definitions].map(([name, type]) => ({ AttributeName: name, AttributeType: type })),
    BillingMode: 'PAY_PER_REQUEST',
  };
  if ((table.globalIndexes ?? []).length > 0) {
    request.GlobalSecondaryIndexes = table.globalIndexes.map((index) => ({
      IndexName: index.name,
      KeySchema: keySchema(index.partitionKey, index.sortKey),
      Projection: { ProjectionType: index.projection },
    }));
  }
  if ((table.localIndexes ?? []).length > 0) {
    request.LocalSecondaryIndexes = table.localIndexes.map((index) => ({
      IndexName: index.name,
      KeySchema: keySchema(table.partitionKey, index.sortKey),
      Projection: { ProjectionType: index.projection },
    }));
  }
  return request;
}

/** What must match between the declaration and an existing table: keys, their types, index names and keys. */
function shapeOf(description) {
  const types = Object.fromEntries((description.AttributeDefinitions ?? []).map((definition) => [definition.AttributeName, definition.AttributeType]));
  const keys = (schema) => (schema ?? []).map((key) => `${key.KeyType}:${key.AttributeName}:${types[key.AttributeName]}`).join(',');
  const indexes = (list) => (list ?? []).map((index) => `${index.IndexName}(${keys(index.KeySchema)})`).sort().join(' ');
  return `${keys(description.KeySchema)} | ${indexes(description.GlobalSecondaryIndexes)} | ${indexes(description.LocalSecondaryIndexes)}`;
}

async function ensureTable(portNumber, table) {
  const wanted = createTableRequest(table);
  const existing = await dynamodb(portNumber, 'DescribeTable', { TableName: wanted.TableName });
  if (existing.error === 'ResourceNotFoundException') {
    const created = await dynamodb(portNumber, 'CreateTable', wanted);
    if (created.error) throw new ServiceError(`cannot create the local table ${wanted.TableName}: ${created.error}: ${created.message}`);
    return;
  }
  if (existing.error) throw new ServiceError(`the local DynamoDB (dynalite) failed to describe ${wanted.TableName}: ${existing.error}: ${existing.message}`);
  if (shapeOf(existing.Table) !== shapeOf(wanted)) {
    throw new ServiceError(
      `the local table ${wanted.TableName} exists with other keys or indexes than routes.json declares ` +
        `(${shapeOf(existing.Table)} instead of ${shapeOf(wanted)}); \`make reset-local\` deletes the local data`,
    );
  }
}

function corsConfiguration(origins) {
  const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const allowed = origins.map((origin) => `<AllowedOrigin>${escape(origin)}</AllowedOrigin>`).join('');
  const methods = ['GET', 'HEAD', 'PUT'].map((method) => `<AllowedMethod>${method}</AllowedMethod>`).join('');
  const headers = ['Content-Type', 'Content-MD5', 'x-amz-*'].map((header) => `<AllowedHeader>${header}</AllowedHeader>`).join('');
  return `<CORSConfiguration><CORSRule>${allowed}${methods}${headers}<ExposeHeader>ETag</ExposeHeader></CORSRule></CORSConfiguration>`;
}

function s3Failure(error, portNumber, directory) {
  return error.code === 'EADDRINUSE'
    ? `port ${portNumber} of the local S3 (s3rver) is in use on ${HOST}: stop what uses it, or choose another port with LOCAL_S3_PORT=...`
    : `the local S3 (s3rver) failed to start with its data in ${directory}: ${error.message}`;
}

async function start(options) {
  const { tables, buckets } = readDeclarations(options.routes);
  const dynamodbDirectory = path.join(options.data, 'dynamodb');
  const s3Directory = path.join(options.data, 's3');
  for (const directory of [dynamodbDirectory, s3Directory]) {
    try {
      fs.mkdirSync(directory, { recursive: true });
    } catch (error) {
      throw new ServiceError(`cannot create the local data folder ${directory}: ${error.message}`);
    }
  }
  // dynalite reports a store it cannot open as an unhandled stream error, not as an answer.
  // s3rver reports a port in use the same way.
  let failure = (error) => `the local DynamoDB (dynalite) failed to open its data in ${dynamodbDirectory}: ${error.message}`;
  process.on('uncaughtException', (error) => {
    process.stderr.write(`local-services: ${failure(error)}\n`);
    process.exit(1);
  });
  const closers = [];
  const stop = () => Promise.all(closers.map((close) => close().catch(() => undefined)));
  try {
    const dynalite = require('dynalite')({ path: dynamodbDirectory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const dynamodbPort = await listen(dynalite, options.dynamodbPort, 'DynamoDB (dynalite)', 'LOCAL_DYNAMODB_PORT');
    closers.push(() => new Promise((resolve) => dynalite.close(() => resolve())));
    // The first call opens the LevelDB store: a store that cannot be opened fails here.
    const listed = await dynamodb(dynamodbPort, 'ListTables', {});
    if (listed.error) throw new ServiceError(`the local DynamoDB (dynalite) failed to open its data in ${dynamodbDirectory}: ${listed.error}: ${listed.message}`);
    for (const table of tables) await ensureTable(dynamodbPort, table);

    failure = (error) => s3Failure(error, options.s3Port, s3Directory);
    const S3rver = require('s3rver');
    const origins = options.corsOrigins.split(',').map((origin) => origin.trim()).filter(Boolean);
    const s3rver = new S3rver({
      address: HOST,
      port: options.s3Port,
      directory: s3Directory,
      silent: true,
      // Path-style addresses only (http://127.0.0.1:PORT/bucket/key), as the client sends them.
      vhostBuckets: false,
      configureBuckets: buckets.map((bucket) => ({ name: PHYSICAL_PREFIX + bucket.name, configs: origins.length > 0 ? [corsConfiguration(origins)] : [] })),
    });
    let s3Port;
    try {
      s3Port = (await s3rver.run()).port;
    } catch (error) {
      throw new ServiceError(s3Failure(error, options.s3Port, s3Directory));
    }
    closers.push(() => s3rver.close());

    failure = (error) => `a local server failed: ${error.message}`;
    const environment = {
      AWS_ENDPOINT_URL_DYNAMODB: `http://${HOST}:${dynamodbPort}`,
      AWS_ENDPOINT_URL_S3: `http://${HOST}:${s3Port}`,
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    };
    for (const table of tables) environment[`TABLE_${variableSuffix(table.name)}`] = PHYSICAL_PREFIX + table.name;
    for (const bucket of buckets) environment[`BUCKET_${variableSuffix(bucket.name)}`] = PHYSICAL_PREFIX + bucket.name;
    const lines = Object.entries(environment).map(([key, value]) => `${key}=${value}\n`).join('');
    const envFile = path.join(options.data, 'services.env');
    fs.writeFileSync(`${envFile}.tmp`, lines);
    fs.renameSync(`${envFile}.tmp`, envFile);
    const names = [...tables.map((table) => `table ${PHYSICAL_PREFIX}${table.name}`), ...buckets.map((bucket) => `bucket ${PHYSICAL_PREFIX}${bucket.name}`)];
    process.stdout.write(
      `local-services: DynamoDB on http://${HOST}:${dynamodbPort}, S3 on http://${HOST}:${s3Port}, ${names.join(', ') || 'no resources'}; data in ${options.data}\n` +
        'local-services: ready\n',
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}

function reset(options) {
  for (const part of ['dynamodb', 's3', 'services.env']) fs.rmSync(path.join(options.data, part), { recursive: true, force: true });
  process.stdout.write(`local-services: deleted the local DynamoDB and S3 data in ${options.data}\n`);
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (options.reset) return reset(options);
  const stop = await start(options);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // The parent (scripts/run.sh) closes stdin when it ends, however it ends.
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}

main().catch((error) => {
  process.stderr.write(`local-services: ${error instanceof ServiceError ? error.message : error.stack}\n`);
  process.exit(1);
});
