package io.hecate.agent.consul.testdouble;

import com.ecwid.consul.v1.ConsulClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;

/** A fresh double for each test, with the two clients the tests speak to it through. */
abstract class AgainstTheDouble {

    ConsulTestDouble consul;
    /** The client production code uses. */
    ConsulClient client;
    /** Plain HTTP, for what the ecwid client cannot say (transactions, raw bodies, wrong requests). */
    PlainHttp http;

    @BeforeEach
    void startTheDouble() throws IOException {
        consul = ConsulTestDouble.start();
        client = new ConsulClient("127.0.0.1", consul.port());
        http = new PlainHttp(consul.address());
    }

    @AfterEach
    void closeTheDouble() {
        consul.close();
    }
}
