"""Serves one OpenStack WSGI application on loopback, for the real-Nova tier.

Usage: python3 serve-wsgi.py <module> <factory> <port>

The Debian daemon packages would run these under uwsgi or Apache with debconf prompts; the
standard library's server is enough for tests. Threaded, because Nova's API calls Keystone to
validate tokens while other requests wait.
"""
import importlib
import sys


def main():
    module_name, factory_name, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    # The applications parse sys.argv through oslo.config; leave them nothing to misread.
    sys.argv = sys.argv[:1]
    # Import the application first: Nova's API monkey-patches sockets and threads with eventlet
    # on import, and a server built from unpatched threads hangs as soon as a request thread
    # makes its own HTTP call (Nova validating a token with Keystone).
    application = getattr(importlib.import_module(module_name), factory_name)()
    import socketserver
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
        daemon_threads = True

    server = make_server('127.0.0.1', port, application, ThreadingWSGIServer, WSGIRequestHandler)
    print(f'serving {module_name}.{factory_name} on 127.0.0.1:{port}', flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
