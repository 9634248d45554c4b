import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * go-verify (test/interop/go-verify/main.go), built with Go and x/mod from
 * Debian, offline, in GOPATH mode: how every suite hands our output to Go's
 * golang.org/x/mod/sumdb/note and sumdb/tlog. A missing Go fails the suite
 * with the command that installs it; it is never skipped.
 */

const INSTALL = 'apt-get update && apt-get install -y golang-go golang-golang-x-mod-dev';
const GOPATH = '/usr/share/gocode';
const goEnv = {
  ...process.env,
  GO111MODULE: 'off',
  GOPATH,
  GOPROXY: 'off',
  GOFLAGS: '',
  GOTOOLCHAIN: 'local',
  GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'govledger-go-build-cache'),
};

/** Builds go-verify into `workDir` and returns the binary's path. */
export function buildGoVerifier(workDir: string): string {
  const version = spawnSync('go', ['version'], { env: goEnv, encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    throw new Error(
      `The Go interop test needs Go, and it is not installed (${version.error?.message ?? version.stderr}). Install it with: ${INSTALL}`,
    );
  }
  if (!existsSync(join(GOPATH, 'src/golang.org/x/mod/sumdb/note/note.go'))) {
    throw new Error(
      `The Go interop test needs golang.org/x/mod under ${GOPATH}, and it is missing. Install it with: ${INSTALL}`,
    );
  }
  const binary = join(workDir, 'go-verify');
  const build = spawnSync('go', ['build', '-o', binary, join(__dirname, 'go-verify', 'main.go')], {
    env: goEnv,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`go build of test/interop/go-verify failed:\n${build.stderr}`);
  return binary;
}
