/* The cold-start floor: a fully static program that does only what any Lambda runtime must
 * do before it can receive work: parse AWS_LAMBDA_RUNTIME_API, connect, send GET /next.
 * bootstrap's exec-to-first-request time is compared with this one on the same machine. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
  const char* address = getenv("AWS_LAMBDA_RUNTIME_API");
  if (address == NULL) return 1;
  char host[64];
  const char* colon = strrchr(address, ':');
  if (colon == NULL || (size_t)(colon - address) >= sizeof host) return 1;
  memcpy(host, address, (size_t)(colon - address));
  host[colon - address] = '\0';
  struct sockaddr_in peer;
  memset(&peer, 0, sizeof peer);
  peer.sin_family = AF_INET;
  peer.sin_port = htons((unsigned short)atoi(colon + 1));
  if (inet_pton(AF_INET, host, &peer.sin_addr) != 1) return 1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr*)&peer, sizeof peer) != 0) return 1;
  char request[256];
  int length =
      snprintf(request, sizeof request,
               "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n", address);
  if (write(fd, request, (size_t)length) != length) return 1;
  char reply[4096];
  (void)read(fd, reply, sizeof reply); /* wait like a runtime would, until killed */
  return 0;
}
