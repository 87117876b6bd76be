package dev.satchel.servlet;

import dev.satchel.SessionStorageException;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;

/**
 * Extends {@link CommittingResponse}'s guarantee to async requests: the session is stored, and its
 * cookie sent, before {@link AsyncContext#complete()} lets the response go, rather than after. An
 * async request started without arguments writes through the {@link CommittingResponse} too.
 */
final class CompletingRequest extends HttpServletRequestWrapper {

  private final CommittingResponse response;
  private StoringAsyncContext async;

  CompletingRequest(HttpServletRequest request, CommittingResponse response) {
    super(request);
    this.response = response;
  }

  @Override
  public AsyncContext startAsync() {
    // The wrappers rather than the originals, so that async output is stored before it leaves.
    return startAsync(this, response);
  }

  @Override
  public synchronized AsyncContext startAsync(ServletRequest request, ServletResponse response) {
    async = new StoringAsyncContext(super.startAsync(request, response), this.response);
    return async;
  }

  @Override
  public synchronized AsyncContext getAsyncContext() {
    AsyncContext current = super.getAsyncContext();
    return async != null && async.delegate == current ? async : current;
  }

  private static final class StoringAsyncContext implements AsyncContext {
    private final AsyncContext delegate;
    private final CommittingResponse response;

    StoringAsyncContext(AsyncContext delegate, CommittingResponse response) {
      this.delegate = delegate;
      this.response = response;
    }

    @Override
    public void complete() {
      try {
        response.persistNow();
      } catch (IOException | SessionStorageException e) {
        // Already committed: nothing can change the status, and the request must still complete.
        response
            .failures()
            .notSaved()
            .log("The session could not be saved before the async request completed", e);
      } finally {
        delegate.complete();
      }
    }

    @Override
    public ServletRequest getRequest() {
      return delegate.getRequest();
    }

    @Override
    public ServletResponse getResponse() {
      return delegate.getResponse();
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
      return delegate.hasOriginalRequestAndResponse();
    }

    @Override
    public void dispatch() {
      delegate.dispatch();
    }

    @Override
    public void dispatch(String path) {
      delegate.dispatch(path);
    }

    @Override
    public void dispatch(ServletContext context, String path) {
      delegate.dispatch(context, path);
    }

    @Override
    public void start(Runnable run) {
      delegate.start(run);
    }

    @Override
    public void addListener(AsyncListener listener) {
      delegate.addListener(listener);
    }

    @Override
    public void addListener(
        AsyncListener listener, ServletRequest servletRequest, ServletResponse servletResponse) {
      delegate.addListener(listener, servletRequest, servletResponse);
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
      return delegate.createListener(type);
    }

    @Override
    public void setTimeout(long timeout) {
      delegate.setTimeout(timeout);
    }

    @Override
    public long getTimeout() {
      return delegate.getTimeout();
    }
  }
}
