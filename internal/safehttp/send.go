package safehttp

import (
	"bytes"
	"context"
	"io"
	"net/http"
)

// Send makes one request with any method and returns the response whatever its status,
// redirects included: it never follows a redirect, so the URL's host is the only one
// contacted. The body is read up to the client's MaxBody (the request fails beyond it) under
// the client's deadline. It is for probing a service, where the status is the answer.
func (c *Client) Send(parent context.Context, method, rawURL string, header http.Header, body []byte) (*Response, error) {
	u, err := c.CheckURL(rawURL)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(parent, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, c.fail(method, u, ReasonOther, 0, err, "cannot build the request: "+err.Error())
	}
	for k, vs := range header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	c.log.request(req, body)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.transportError(parent, ctx, method, u, err)
	}
	c.log.response(resp)
	defer resp.Body.Close()
	if resp.ContentLength > c.maxBody {
		return nil, c.tooLarge(method, u)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return nil, c.transportError(parent, ctx, method, u, err)
	}
	if int64(len(data)) > c.maxBody {
		return nil, c.tooLarge(method, u)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data, URL: u.String()}, nil
}
