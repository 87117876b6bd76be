package com.example.shop;

import dev.satchel.Satchel;
import dev.satchel.servlet.SatchelFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.EnumSet;

@WebListener
public class SessionSetup implements ServletContextListener {
  private Satchel satchel;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    satchel = Satchel.fromEnvironment(); // satchel.properties, then SATCHEL_* variables
    event
        .getServletContext()
        .addFilter("satchel", new SatchelFilter(satchel))
        .addMappingForUrlPatterns(EnumSet.allOf(DispatcherType.class), false, "/*");
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    satchel.close(); // stops its background check, releases the store's files or connections
  }
}
