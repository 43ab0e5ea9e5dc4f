/**
 * The DynamoDB tables and S3 buckets the function declares beside its routes (routes.json's
 * `tables` and `buckets`, lib/resource-declarations.ts), created for one deployment, with their
 * physical names for the function's environment and least-privilege grants for its role.
 *
 * Tables: on-demand billing, encryption at rest with the AWS managed key, point-in-time recovery.
 * Buckets: S3-managed encryption, public access blocked, TLS 1.2+ only, bucket-owner-enforced
 * ownership, incomplete multipart uploads removed after 7 days, and CORS for browser uploads
 * through presigned URLs when CORS_ALLOW_ORIGINS is set. In production tables have deletion
 * protection, buckets keep their objects' previous versions for 30 days, and both are retained
 * when the stack is deleted; staging and dev delete them with the stack (docs/aws-services.md).
 *
 * @example
 *   const data = new DataResources(stack, 'Data', { tables, buckets, production: true, cors });
 *   data.environment;          // { TABLE_NOTES: <table name>, BUCKET_NOTE_ATTACHMENTS: <bucket name> }
 *   data.grantTo(functionRole);
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import type { CorsConfig } from './config';
import { BucketDeclaration, bucketVariable, KeyAttribute, Projection, TableDeclaration, tableVariable } from './resource-declarations';

/**
 * The DynamoDB actions the function's client library calls on a declared table. Transactions
 * (TransactGetItems, TransactWriteItems) are authorized as the item actions they contain
 * (GetItem, PutItem, UpdateItem, DeleteItem, ConditionCheckItem), so they need no action of their own
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 */
export const TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
] as const;
/** Reads of a declared table's secondary indexes (their ARNs, one by one). */
export const INDEX_ACTIONS = ['dynamodb:Query', 'dynamodb:Scan'] as const;
/** Object actions on a declared bucket's objects: HeadObject is authorized as GetObject. */
export const OBJECT_ACTIONS = ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'] as const;
/** ListObjectsV2 on a declared bucket; it also lets HeadObject answer 404 rather than 403 for a missing key. */
export const BUCKET_ACTIONS = ['s3:ListBucket'] as const;

/** Methods a browser uses with presigned URLs: download (GET, HEAD) and upload (PUT). */
export const BUCKET_CORS_METHODS = [s3.HttpMethods.GET, s3.HttpMethods.HEAD, s3.HttpMethods.PUT];
/** Headers a browser's presigned upload may send: its type, checksum and the x-amz-* ones it signs. */
export const BUCKET_CORS_HEADERS = ['Content-Type', 'Content-MD5', 'x-amz-*'];

export interface DataResourcesProps {
  readonly tables: readonly TableDeclaration[];
  readonly buckets: readonly BucketDeclaration[];
  /** Production: deletion protection, retention, object versions kept. */
  readonly production: boolean;
  /** Browser origins allowed to use presigned URLs (the API's CORS configuration); undefined: no CORS. */
  readonly cors?: CorsConfig;
}

export class DataResources extends Construct {
  /** The created tables by logical name. */
  readonly tables = new Map<string, dynamodb.Table>();
  /** The created buckets by logical name. */
  readonly buckets = new Map<string, s3.Bucket>();
  /** TABLE_<NAME> and BUCKET_<NAME> of every declared resource, set to its physical name. */
  readonly environment: Record<string, string> = {};
  private readonly declarations: readonly TableDeclaration[];

  constructor(scope: Construct, id: string, props: DataResourcesProps) {
    super(scope, id);
    this.declarations = props.tables;
    for (const declaration of props.tables) {
      const table = createTable(this, declaration, props.production);
      this.tables.set(declaration.name, table);
      this.environment[tableVariable(declaration.name)] = table.tableName;
    }
    for (const declaration of props.buckets) {
      const bucket = createBucket(this, declaration, props.production, props.cors);
      this.buckets.set(declaration.name, bucket);
      this.environment[bucketVariable(declaration.name)] = bucket.bucketName;
    }
  }

  /** Whether the route table declared anything: without, the stack has no data resource at all. */
  get empty(): boolean {
    return this.tables.size === 0 && this.buckets.size === 0;
  }

  /** The actions of TABLE_ACTIONS, INDEX_ACTIONS, OBJECT_ACTIONS and BUCKET_ACTIONS on exactly the declared resources. */
  grantTo(role: iam.IRole): void {
    for (const declaration of this.declarations) {
      const table = this.tables.get(declaration.name)!;
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...TABLE_ACTIONS], resources: [table.tableArn] }));
      const indexes = [...declaration.globalIndexes, ...declaration.localIndexes];
      if (indexes.length > 0) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: [...INDEX_ACTIONS], resources: indexes.map((index) => `${table.tableArn}/index/${index.name}`) }),
        );
      }
    }
    for (const bucket of this.buckets.values()) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...BUCKET_ACTIONS], resources: [bucket.bucketArn] }));
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...OBJECT_ACTIONS], resources: [bucket.arnForObjects('*')] }));
    }
  }
}

/** `TableNotes`, `BucketNoteAttachments`: the logical name in the construct id, so renaming it replaces the resource. */
function constructId(kind: 'Table' | 'Bucket', logicalName: string): string {
  return kind + logicalName.split('-').map((part) => part[0].toUpperCase() + part.slice(1)).join('');
}

const ATTRIBUTE_TYPES: Record<KeyAttribute['type'], dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

function attribute(key: KeyAttribute): dynamodb.Attribute {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

function projectionType(projection: Projection): dynamodb.ProjectionType {
  return projection === 'KEYS_ONLY' ? dynamodb.ProjectionType.KEYS_ONLY : dynamodb.ProjectionType.ALL;
}

function createTable(scope: Construct, declaration: TableDeclaration, production: boolean): dynamodb.Table {
  const table = new dynamodb.Table(scope, constructId('Table', declaration.name), {
    partitionKey: attribute(declaration.partitionKey),
    sortKey: declaration.sortKey ? attribute(declaration.sortKey) : undefined,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    // The AWS managed key (aws/dynamodb): its use shows in CloudTrail, and the function's role
    // needs no KMS permission (DynamoDB uses the key on its behalf).
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: production,
    removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    timeToLiveAttribute: declaration.timeToLiveAttribute ?? undefined,
  });
  for (const index of declaration.globalIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: attribute(index.partitionKey),
      sortKey: index.sortKey ? attribute(index.sortKey) : undefined,
      projectionType: projectionType(index.projection),
    });
  }
  for (const index of declaration.localIndexes) {
    table.addLocalSecondaryIndex({ indexName: index.name, sortKey: attribute(index.sortKey), projectionType: projectionType(index.projection) });
  }
  return table;
}

function createBucket(scope: Construct, declaration: BucketDeclaration, production: boolean, cors: CorsConfig | undefined): s3.Bucket {
  const lifecycleRules: s3.LifecycleRule[] = [{ id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }];
  // Previous versions undo an overwrite or a delete for 30 days; a delete marker left with no
  // version behind it is removed, so deleted keys do not accumulate markers.
  if (production) lifecycleRules.push({ id: 'ExpirePreviousVersions', noncurrentVersionExpiration: Duration.days(30), expiredObjectDeleteMarker: true });
  return new s3.Bucket(scope, constructId('Bucket', declaration.name), {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: production,
    lifecycleRules,
    cors: cors ? [bucketCorsRule(cors)] : undefined,
    removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
}

function bucketCorsRule(cors: CorsConfig): s3.CorsRule {
  return {
    allowedOrigins: [...cors.allowOrigins],
    allowedMethods: BUCKET_CORS_METHODS,
    allowedHeaders: BUCKET_CORS_HEADERS,
    exposedHeaders: ['ETag'],
    maxAge: cors.maxAgeSeconds > 0 ? cors.maxAgeSeconds : undefined,
  };
}
