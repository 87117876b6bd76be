package com.example.shop;

import dev.satchel.servlet.SatchelFilter;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

@WebServlet("/cart")
public class CartServlet extends HttpServlet {
  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    CartSession cart = CartSession.of(SatchelFilter.session(request));
    response.setContentType("text/plain");
    response.getWriter().println(cart.items().orElse(List.of()));
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String item = request.getParameter("item");
    CartSession.of(SatchelFilter.session(request))
        .updateItems(
            items -> {
              List<String> next = items == null ? new ArrayList<>() : new ArrayList<>(items);
              next.add(item);
              return next;
            });
    response.sendRedirect("cart");
  }
}
