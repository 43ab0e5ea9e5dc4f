// Starts dynalite (DynamoDB) and s3rver (S3) from services/node_modules on ephemeral loopback
// ports for the tests, with the buckets named on the command line, and prints
//   {"dynamodb": PORT, "s3": PORT}
// on one line. Stops when its stdin closes, so a test that dies leaves nothing behind.
// s3rver's ListObjectsV2 needs Node.js's legacy OpenSSL provider (DES continuation tokens).
// Usage: node --openssl-legacy-provider local_services.js SERVICES_DIR DATA_DIR [BUCKET...]
'use strict';
const path = require('path');
const [servicesDir, dataDir, ...buckets] = process.argv.slice(2);
const modules = path.resolve(servicesDir, 'node_modules');
const dynalite = require(path.join(modules, 'dynalite'));
const S3rver = require(path.join(modules, 's3rver'));

async function main() {
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(0, '127.0.0.1', resolve);
  });
  const s3 = new S3rver({
    address: '127.0.0.1', port: 0, silent: true, directory: dataDir,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const s3Address = await s3.run();
  process.stdout.write(JSON.stringify({ dynamodb: dynamo.address().port, s3: s3Address.port }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
}

main().catch((error) => {
  process.stderr.write(`local services failed to start: ${error.stack || error}\n`);
  process.exit(1);
});
