/* The floor a Lambda runtime is measured against: a fully static C program that does only
 * what any runtime must do, with no JSON and no error handling beyond giving up:
 *   cold start  parse AWS_LAMBDA_RUNTIME_API, connect, send GET /next;
 *   warm        read the event, POST a fixed response, read the 202, GET /next again.
 * bootstrap's figures are compared with this program's on the same machine, in one run. */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static char buffer[8 * 1024 * 1024];
static size_t buffered = 0;

static int send_all(int fd, const char* data, size_t length) {
  while (length > 0) {
    ssize_t written = write(fd, data, length);
    if (written <= 0) return -1;
    data += written;
    length -= (size_t)written;
  }
  return 0;
}

/* Reads one HTTP response; copies the request id header (if any) into request_id. */
static int read_response(int fd, char* request_id, size_t request_id_size) {
  for (;;) {
    char* header_end = buffered ? memmem(buffer, buffered, "\r\n\r\n", 4) : NULL;
    if (header_end != NULL) {
      size_t header_length = (size_t)(header_end - buffer) + 4;
      size_t body_length = 0;
      *header_end = '\0';
      for (char* line = strstr(buffer, "\r\n"); line != NULL; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, "Content-Length:", 15) == 0) {
          body_length = strtoul(line + 17, NULL, 10);
        } else if (request_id && strncasecmp(line + 2, "Lambda-Runtime-Aws-Request-Id:", 30) == 0) {
          const char* value = line + 32;
          while (*value == ' ') ++value;
          size_t length = strcspn(value, "\r");
          if (length >= request_id_size) return -1;
          memcpy(request_id, value, length);
          request_id[length] = '\0';
        }
      }
      *header_end = '\r';
      while (buffered < header_length + body_length) {
        ssize_t received = read(fd, buffer + buffered, sizeof buffer - buffered);
        if (received <= 0) return -1;
        buffered += (size_t)received;
      }
      size_t consumed = header_length + body_length;
      memmove(buffer, buffer + consumed, buffered - consumed);
      buffered -= consumed;
      return 0;
    }
    if (buffered == sizeof buffer) return -1;
    ssize_t received = read(fd, buffer + buffered, sizeof buffer - buffered);
    if (received <= 0) return -1;
    buffered += (size_t)received;
  }
}

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
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);

  char next[256];
  int next_length =
      snprintf(next, sizeof next,
               "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n\r\n", address);
  static const char body[] = "{\"statusCode\":200,\"body\":\"{}\"}";
  for (;;) {
    char request_id[128];
    if (send_all(fd, next, (size_t)next_length) != 0) return 1;
    if (read_response(fd, request_id, sizeof request_id) != 0) return 1;
    char post[512];
    int post_length = snprintf(post, sizeof post,
                               "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\n"
                               "Host: %s\r\nContent-Type: application/json\r\n"
                               "Content-Length: %zu\r\n\r\n%s",
                               request_id, address, sizeof body - 1, body);
    if (post_length <= 0 || (size_t)post_length >= sizeof post) return 1;
    if (send_all(fd, post, (size_t)post_length) != 0) return 1;
    if (read_response(fd, NULL, 0) != 0) return 1;
  }
}
