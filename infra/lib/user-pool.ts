/**
 * A Cognito user pool given by id (`eu-west-1_AbC123`) or by ARN
 * (`arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123`), read the same way as
 * the emulator reads COGNITO_USER_POOL_ID (src/local/auth/cognito.cpp, parse_user_pool; the
 * shared cases are tests/fixtures/env/cases.json, "userPools").
 *
 * @example
 *   const pool = parseUserPool('arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123');
 *   pool.region;               // 'eu-west-1'
 *   cognitoIssuer(pool);       // 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123'
 */

export interface UserPoolReference {
  /** The pool's region: the ARN's, which must be the one the pool id starts with. */
  readonly region: string;
  /** The pool id, `<region>_<suffix>`. */
  readonly id: string;
  /** The ARN when the pool was given by ARN. */
  readonly arn?: string;
}

export const USER_POOL_PATTERN = /^(arn:aws[a-z-]*:cognito-idp:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:userpool\/)?(([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+)$/;
export const USER_POOL_DESCRIPTION = "must be a Cognito user pool id such as eu-west-1_AbCdEf123, or the pool's ARN when it is in another account";

/** Throws an Error whose message is what follows `COGNITO_USER_POOL_ID: ` in the config error. */
export function parseUserPool(value: string): UserPoolReference {
  const match = USER_POOL_PATTERN.exec(value);
  if (match === null) throw new Error(`${USER_POOL_DESCRIPTION}, got '${value}'`);
  const [, arnPrefix, arnRegion, id, region] = match;
  if (arnRegion !== undefined && arnRegion !== region) {
    throw new Error(`the ARN's region ${arnRegion} is not the region of its pool id ${id}, got '${value}'`);
  }
  return arnPrefix === undefined ? { region, id } : { region, id, arn: value };
}

/** The `iss` claim of the pool's tokens. */
export function cognitoIssuer(pool: UserPoolReference): string {
  return `https://cognito-idp.${pool.region}.amazonaws.com/${pool.id}`;
}
