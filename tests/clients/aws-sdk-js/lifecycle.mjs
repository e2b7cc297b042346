// The access-key lifecycle through the AWS SDK for JavaScript v3 against a running keygate: a
// user and its keys, Inactive and back, paginators over ListUsers and ListAccessKeys, a typed
// error, STS GetCallerIdentity. Environment: KEYGATE_URL, ROOT_KEY_ID, ROOT_SECRET, ACCOUNT_ID,
// NODE_MODULES (where tests/clients/aws-sdk-js is installed). Prints one JSON line of what it
// saw; exits non-zero on the first expectation that fails.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} is not set`);
  return process.env[k];
};
const require = createRequire(path.join(env("NODE_MODULES"), "resolve.js"));
const iamSdk = require("@aws-sdk/client-iam");
const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
const expect = (ok, what) => {
  if (!ok) throw new Error(`expectation failed: ${what}`);
};
const recent = (d) => d instanceof Date && Math.abs(Date.now() - d.getTime()) < 10 * 60 * 1000;

const config = {
  endpoint: env("KEYGATE_URL"),
  region: "us-east-1",
  credentials: { accessKeyId: env("ROOT_KEY_ID"), secretAccessKey: env("ROOT_SECRET") },
  maxAttempts: 1,
};
const iam = new iamSdk.IAMClient(config);
const sts = new STSClient(config);
const account = env("ACCOUNT_ID");
const send = (command, input) => iam.send(new iamSdk[`${command}Command`](input));

const made = (await send("CreateUser", { UserName: "alice", Path: "/team/" })).User;
expect(made.UserName === "alice" && made.Path === "/team/", `CreateUser: ${JSON.stringify(made)}`);
expect(made.Arn === `arn:aws:iam::${account}:user/team/alice`, `the user's ARN: ${made.Arn}`);
expect(/^AIDA[A-Z0-9]{17}$/.test(made.UserId) && recent(made.CreateDate), `UserId and CreateDate: ${JSON.stringify(made)}`);

const key = (await send("CreateAccessKey", { UserName: "alice" })).AccessKey;
expect(key.UserName === "alice" && /^AKIA[A-Z0-9]{16}$/.test(key.AccessKeyId), `CreateAccessKey: ${key.AccessKeyId}`);
expect(key.SecretAccessKey.length === 40 && key.Status === "Active" && recent(key.CreateDate), "the new key's secret, status and date");

const statusOf = async () => (await send("ListAccessKeys", { UserName: "alice" })).AccessKeyMetadata.map((k) => k.Status);
await send("UpdateAccessKey", { UserName: "alice", AccessKeyId: key.AccessKeyId, Status: "Inactive" });
expect(JSON.stringify(await statusOf()) === '["Inactive"]', "the key is Inactive");
await send("UpdateAccessKey", { UserName: "alice", AccessKeyId: key.AccessKeyId, Status: "Active" });
expect(JSON.stringify(await statusOf()) === '["Active"]', "the key is Active again");

// Paginators: several pages of users, and of alice's two keys.
const names = ["u1", "u2", "u3", "u4", "u5"];
for (const n of names) await send("CreateUser", { UserName: n });
const listed = [];
let userPages = 0;
for await (const page of iamSdk.paginateListUsers({ client: iam, pageSize: 2 }, {})) {
  userPages += 1;
  listed.push(...page.Users.map((u) => u.UserName));
}
expect(JSON.stringify(listed) === JSON.stringify(["alice", ...names]) && userPages === 3, `ListUsers by pages: ${listed} in ${userPages}`);
const second = (await send("CreateAccessKey", { UserName: "alice" })).AccessKey;
const keyIds = [];
let keyPages = 0;
for await (const page of iamSdk.paginateListAccessKeys({ client: iam, pageSize: 1 }, { UserName: "alice" })) {
  keyPages += 1;
  keyIds.push(...page.AccessKeyMetadata.map((k) => k.AccessKeyId));
}
expect(keyIds.length === 2 && keyPages === 2 && keyIds.includes(second.AccessKeyId), `ListAccessKeys by pages: ${keyIds}`);

// A typed error.
let missing;
try {
  await send("GetUser", { UserName: "nobody" });
} catch (e) {
  missing = e;
}
expect(missing instanceof iamSdk.NoSuchEntityException, `GetUser nobody: ${missing?.name}`);
expect(missing.$metadata.httpStatusCode === 404 && /nobody/.test(missing.message), `its status and message: ${missing.message}`);

for (const k of [key, second]) await send("DeleteAccessKey", { UserName: "alice", AccessKeyId: k.AccessKeyId });
for (const n of ["alice", ...names]) await send("DeleteUser", { UserName: n });
const left = (await send("ListUsers", {})).Users;
expect(left.length === 0, `no user is left: ${JSON.stringify(left)}`);

const me = await sts.send(new GetCallerIdentityCommand({}));
expect(me.Account === account && me.Arn === `arn:aws:iam::${account}:root`, `GetCallerIdentity: ${JSON.stringify(me)}`);

console.log(JSON.stringify({ deletedKey: key.AccessKeyId, sdk: JSON.parse(readFileSync(path.join(env("NODE_MODULES"), "@aws-sdk/client-iam/package.json"))).version }));
